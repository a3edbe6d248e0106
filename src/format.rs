//! Numbers for people: significant digits, thousands separators, percentages and time
//! units. Shared by the charts, the sentences, report.html and the terminal summary, so
//! a figure reads the same everywhere. CSV files do not use this (they keep fixed
//! decimals for byte-stable output).

/// A number with three significant digits, without trailing zeros: `86.2`, `1.93`,
/// `0.451`, `412`, `62079` (integers above 999 keep every digit).
pub fn fmt_sig(v: f64) -> String {
    if !v.is_finite() {
        return "n/a".to_string();
    }
    if v == 0.0 {
        return "0".to_string();
    }
    let magnitude = v.abs().log10().floor() as i32;
    let decimals = (2 - magnitude).clamp(0, 9) as usize;
    let s = format!("{v:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// [`fmt_sig`] with thousands separators in the integer part: `62,079`, `1,250.5`.
pub fn fmt_num(v: f64) -> String {
    group(&fmt_sig(v))
}

/// `v` with `decimals` decimals, trailing zeros dropped, thousands separated: the tick
/// label of an axis whose step needs that many decimals (`0.9631`, `1,250`).
pub fn fmt_fixed(v: f64, decimals: usize) -> String {
    if !v.is_finite() {
        return "n/a".to_string();
    }
    let s = format!("{v:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    // "-0" is 0.
    let s = if s == "-0" { "0".to_string() } else { s };
    group(&s)
}

/// The decimals that tell apart ticks over `span` (at most ~16 ticks, each a round
/// step): `span` 0.001 → 5, 10 → 2, 1,000 → 0.
pub fn tick_decimals(span: f64) -> usize {
    if !span.is_finite() || span <= 0.0 {
        return 0;
    }
    (-(span / 16.0).log10()).ceil().clamp(0.0, 9.0) as usize
}

/// A count with thousands separators: `3,571,591`.
pub fn fmt_count(n: u64) -> String {
    group(&n.to_string())
}

fn group(s: &str) -> String {
    let (sign, rest) = s.strip_prefix('-').map_or(("", s), |r| ("-", r));
    let (int, frac) = rest
        .split_once('.')
        .map_or((rest, None), |(i, f)| (i, Some(f)));
    if int.len() <= 3 || !int.bytes().all(|b| b.is_ascii_digit()) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + int.len() / 3);
    out.push_str(sign);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    out
}

/// A share (0..1) as a percentage, with more decimals close to 100 % where the
/// differences that matter to availability live; never rounds up to 100% a share
/// that is not 1.
pub fn fmt_pct(share: f64) -> String {
    let pct = share * 100.0;
    if !pct.is_finite() {
        "n/a".to_string()
    } else if share >= 1.0 {
        "100%".to_string()
    } else if pct >= 99.9 {
        // Floor, not round: 99.99996% must not read as 100%.
        let digits = if pct >= 99.999 { 4 } else { 3 };
        let scale = 10f64.powi(digits);
        format!("{:.*}%", digits as usize, (pct * scale).floor() / scale)
    } else {
        format!("{pct:.1}%")
    }
}

/// A unit of time for axes, time points and duration columns.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TimeUnit {
    pub label: &'static str,
    pub seconds: f64,
}

pub const MS: TimeUnit = TimeUnit {
    label: "ms",
    seconds: 1e-3,
};
pub const SECONDS: TimeUnit = TimeUnit {
    label: "s",
    seconds: 1.0,
};
pub const MINUTES: TimeUnit = TimeUnit {
    label: "min",
    seconds: 60.0,
};
pub const HOURS: TimeUnit = TimeUnit {
    label: "h",
    seconds: 3600.0,
};
pub const DAYS: TimeUnit = TimeUnit {
    label: "d",
    seconds: 86_400.0,
};

impl TimeUnit {
    /// The unit of a run's time axis (and of every time point a report names), chosen
    /// from the run's length so ticks stay short: s up to 10 min, min up to 10 h, h
    /// beyond.
    pub fn for_run(duration_s: f64) -> TimeUnit {
        if duration_s <= 600.0 {
            SECONDS
        } else if duration_s <= 600.0 * 60.0 {
            MINUTES
        } else {
            HOURS
        }
    }

    /// The unit that shows `largest_s` (the largest value of a column) with at most
    /// three digits before the point: ms, s, min, h or d.
    pub fn for_magnitude(largest_s: f64) -> TimeUnit {
        let v = largest_s.abs();
        if !v.is_finite() || v < 1.0 {
            MS
        } else if v < 600.0 {
            SECONDS
        } else if v < 600.0 * 60.0 {
            MINUTES
        } else if v < 3.0 * 86_400.0 {
            HOURS
        } else {
            DAYS
        }
    }

    /// `seconds` in this unit, without the unit: `78`, `0.5`.
    pub fn number(self, seconds: f64) -> String {
        fmt_num(seconds / self.seconds)
    }

    /// `seconds` in this unit, with it: `78 min`.
    pub fn fmt(self, seconds: f64) -> String {
        format!("{} {}", self.number(seconds), self.label)
    }
}

/// A duration in the unit that suits its size: `13 ms`, `8.5 s`, `12.5 min`, `2.1 h`.
pub fn fmt_duration_s(seconds: f64) -> String {
    if seconds == 0.0 {
        return "0 s".to_string();
    }
    TimeUnit::for_magnitude(seconds).fmt(seconds)
}

/// Milliseconds as people read them: `9.2 ms`, `62,079 ms`.
pub fn fmt_ms(ms: f64) -> String {
    format!("{} ms", fmt_num(ms))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sig_digits() {
        assert_eq!(fmt_sig(86.24), "86.2");
        assert_eq!(fmt_sig(1.934), "1.93");
        assert_eq!(fmt_sig(0.45123), "0.451");
        assert_eq!(fmt_sig(412.0), "412");
        assert_eq!(fmt_sig(0.0), "0");
        assert_eq!(fmt_sig(300.0), "300");
        assert_eq!(fmt_sig(99.96), "100");
        assert_eq!(fmt_sig(f64::NAN), "n/a");
    }

    #[test]
    fn thousands() {
        assert_eq!(fmt_count(3_571_591), "3,571,591");
        assert_eq!(fmt_count(999), "999");
        assert_eq!(fmt_count(1000), "1,000");
        assert_eq!(fmt_num(62_078.976), "62,079");
        assert_eq!(fmt_num(-1234.0), "-1,234");
        assert_eq!(fmt_num(0.013), "0.013");
        assert_eq!(fmt_ms(62_078.976), "62,079 ms");
    }

    #[test]
    fn ticks_differ() {
        // Availabilities between 0.9631 and 0.9634: four decimals at least.
        let d = tick_decimals(0.0003);
        let labels: Vec<String> = [0.9631, 0.9632, 0.9633]
            .iter()
            .map(|&v| fmt_fixed(v, d))
            .collect();
        assert_eq!(labels, ["0.9631", "0.9632", "0.9633"]);
        assert_eq!(tick_decimals(1000.0), 0);
        assert_eq!(fmt_fixed(1250.0, 0), "1,250");
        assert_eq!(fmt_fixed(0.5, 3), "0.5");
        assert_eq!(fmt_fixed(-0.0001, 2), "0");
    }

    #[test]
    fn percentages_never_round_up_to_100() {
        assert_eq!(fmt_pct(1.0), "100%");
        assert_eq!(fmt_pct(0.999_999_6), "99.9999%");
        assert_eq!(fmt_pct(0.999_58), "99.958%");
        assert_eq!(fmt_pct(0.707_471), "70.7%");
    }

    #[test]
    fn time_units() {
        assert_eq!(TimeUnit::for_run(7200.0), MINUTES);
        assert_eq!(TimeUnit::for_run(300.0), SECONDS);
        assert_eq!(TimeUnit::for_run(365.0 * 86_400.0), HOURS);
        assert_eq!(MINUTES.fmt(4680.0), "78 min");
        assert_eq!(fmt_duration_s(0.013), "13 ms");
        assert_eq!(fmt_duration_s(513.078), "513 s");
        assert_eq!(fmt_duration_s(1530.0), "25.5 min");
        assert_eq!(fmt_duration_s(0.0), "0 s");
    }
}
