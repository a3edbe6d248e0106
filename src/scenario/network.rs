//! Regions and links: `[[region]]` and `[[link]]` into `Model::regions` and the symmetric
//! link matrix, and the resolution of region names used anywhere else in the file.
//!
//! A pair of catalogue regions gets the catalogue's median RTT as a constant (see
//! `catalog`) unless a `[[link]]` gives its own `rtt` (a `[[link]]` with only a
//! `bandwidth` keeps the catalogue's); any other pair must be linked with an `rtt`.

use std::collections::BTreeMap;
use std::ops::Range;

use toml::Spanned;

use super::context::Ctx;
use super::raw::{RawLink, RawRegion};
use super::{catalog, dist, suggest, units};
use crate::error::GeoError;
use crate::model::{Link, Region, RegionId, Sampled, Target, NS_PER_MS};

/// The declared region names, in file order, for resolving references.
pub struct Names {
    /// `None` where a `[[region]]` has no name (an error reported elsewhere).
    list: Vec<Option<String>>,
    index: BTreeMap<String, RegionId>,
}

impl Names {
    pub fn new(regions: &[Spanned<RawRegion>]) -> Names {
        let list: Vec<Option<String>> = regions
            .iter()
            .map(|r| r.get_ref().name.as_ref().map(|n| n.get_ref().clone()))
            .collect();
        let mut index = BTreeMap::new();
        for (i, name) in list.iter().enumerate() {
            if let Some(n) = name {
                // The first declaration wins; a duplicate is an error of its own.
                index.entry(n.clone()).or_insert(i);
            }
        }
        Names { list, index }
    }

    pub fn name(&self, id: RegionId) -> &str {
        self.list.get(id).and_then(|n| n.as_deref()).unwrap_or("?")
    }

    /// The id of a declared region, or an error with the likeliest fix.
    pub fn resolve(
        &self,
        ctx: &Ctx,
        name: &Spanned<String>,
        key: &str,
    ) -> Result<RegionId, GeoError> {
        let n = name.get_ref();
        self.index
            .get(n)
            .copied()
            .ok_or_else(|| self.unknown(ctx, n, name.span(), key))
    }

    fn unknown(&self, ctx: &Ctx, n: &str, span: Range<usize>, key: &str) -> GeoError {
        let err = ctx.error(span, key, format!("unknown region \"{n}\""));
        let declared = self.index.keys().map(String::as_str);
        if let Some(s) = suggest::closest(n, self.list.iter().flatten().map(String::as_str)) {
            return err.with_help(format!("did you mean \"{s}\"?"));
        }
        if catalog::contains(n) {
            return err.with_help(format!(
                "\"{n}\" is a catalogue region but is not declared: add [[region]] name = \"{n}\""
            ));
        }
        if let Some(s) = catalog::suggest(n) {
            return err.with_help(format!(
                "did you mean \"{s}\"? It is a catalogue region: add [[region]] name = \"{s}\""
            ));
        }
        let declared: Vec<&str> = declared.collect();
        err.with_help(format!(
            "declare it with a [[region]] entry; declared regions: {}",
            if declared.is_empty() {
                "none".to_string()
            } else {
                declared.join(", ")
            }
        ))
    }

    /// An outage or failure target: a region `"a"` or a link `"a<->b"`.
    pub fn target(&self, ctx: &Ctx, t: &Spanned<String>, key: &str) -> Result<Target, GeoError> {
        let text = t.get_ref();
        let Some((a, b)) = text.split_once("<->") else {
            return self.resolve(ctx, t, key).map(Target::Region);
        };
        let one = |s: &str| {
            let s = s.trim();
            self.index
                .get(s)
                .copied()
                .ok_or_else(|| self.unknown(ctx, s, t.span(), key))
        };
        let (a, b) = (one(a)?, one(b)?);
        if a == b {
            return Err(ctx
                .error(
                    t.span(),
                    key,
                    format!("\"{text}\" links a region to itself"),
                )
                .with_help("a link target joins two different regions: \"a<->b\""));
        }
        Ok(Target::link(a, b))
    }
}

/// `links[a][b]` as in `Model::links`.
type LinkMatrix = Vec<Vec<Option<Link>>>;

/// The regions and the full link matrix, or `None` after noting the first error.
pub fn network(
    ctx: &mut Ctx,
    regions: &[Spanned<RawRegion>],
    links: &[Spanned<RawLink>],
    names: &Names,
) -> Option<(Vec<Region>, LinkMatrix)> {
    if regions.is_empty() {
        let err = ctx
            .error(0..0, "region", "no [[region]] is declared")
            .with_help(
                "declare the primary and its secondaries, e.g. [[region]] name = \"westeurope\"",
            );
        ctx.note(err);
        return None;
    }
    let mut out = Vec::with_capacity(regions.len());
    for (i, r) in regions.iter().enumerate() {
        if let Some(region) = ctx.ok(region(ctx, i, r, names)) {
            out.push(region);
        }
    }
    let mut matrix: LinkMatrix = vec![vec![None; regions.len()]; regions.len()];
    let mut declared_at: BTreeMap<(RegionId, RegionId), usize> = BTreeMap::new();
    for (i, l) in links.iter().enumerate() {
        if let Some((a, b, link)) = ctx.ok(link(ctx, i, l, names, &declared_at)) {
            declared_at.insert((a.min(b), a.max(b)), i);
            matrix[a][b] = Some(link.clone());
            matrix[b][a] = Some(link);
        }
    }
    if out.len() != regions.len() || declared_at.len() != links.len() {
        return None;
    }
    ctx.ok(fill_from_catalog(ctx, regions, names, &mut matrix))?;
    Some((out, matrix))
}

fn region(ctx: &Ctx, i: usize, r: &Spanned<RawRegion>, names: &Names) -> Result<Region, GeoError> {
    let key = format!("region[{i}]");
    let raw = r.get_ref();
    let name = ctx.require(
        &raw.name,
        r.span(),
        &format!("{key}.name"),
        "name = \"westeurope\"",
    )?;
    let n = name.get_ref();
    if n.is_empty()
        || !n
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        let fixed: String = n
            .to_lowercase()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        let err = ctx.error(
            name.span(),
            &format!("{key}.name"),
            format!("region name \"{n}\" may only contain a-z, 0-9 and -"),
        );
        return Err(if fixed.is_empty() {
            err.with_help("e.g. name = \"westeurope\"")
        } else {
            err.with_help(format!("use \"{fixed}\""))
        });
    }
    if let Some(&first) = names.index.get(n).filter(|&&first| first != i) {
        return Err(ctx
            .error(
                name.span(),
                &format!("{key}.name"),
                format!("region \"{n}\" is declared twice (first as region[{first}])"),
            )
            .with_help("remove one of the two [[region]] entries"));
    }
    let ms = Sampled::constant(NS_PER_MS as f64);
    let latency = |v: &Option<Spanned<_>>, k: &str| match v {
        Some(q) => dist::latency(ctx, q, &format!("{key}.{k}")),
        None => Ok(ms.clone()),
    };
    Ok(Region {
        name: n.clone(),
        commit: latency(&raw.commit, "commit")?,
        local_rtt: latency(&raw.local_rtt, "local_rtt")?,
    })
}

fn link(
    ctx: &Ctx,
    i: usize,
    l: &Spanned<RawLink>,
    names: &Names,
    declared_at: &BTreeMap<(RegionId, RegionId), usize>,
) -> Result<(RegionId, RegionId, Link), GeoError> {
    let key = format!("link[{i}]");
    let raw = l.get_ref();
    let bkey = format!("{key}.between");
    let between = ctx.require(
        &raw.between,
        l.span(),
        &bkey,
        "between = [\"westeurope\", \"eastus\"]",
    )?;
    let [a, b] = between.get_ref().as_slice() else {
        return Err(ctx
            .error(
                between.span(),
                &bkey,
                format!(
                    "`between` lists {} regions; a link joins exactly 2",
                    between.get_ref().len()
                ),
            )
            .with_help("between = [\"westeurope\", \"eastus\"]"));
    };
    let (ia, ib) = (
        names.resolve(ctx, a, &format!("{bkey}[0]"))?,
        names.resolve(ctx, b, &format!("{bkey}[1]"))?,
    );
    if ia == ib {
        return Err(ctx
            .error(
                between.span(),
                &bkey,
                format!("a link from \"{}\" to itself", a.get_ref()),
            )
            .with_help(
                "a link joins two different regions; a region's own round trip is its `local_rtt`",
            ));
    }
    if let Some(first) = declared_at.get(&(ia.min(ib), ia.max(ib))) {
        return Err(ctx
            .error(
                between.span(),
                &bkey,
                format!(
                    "the link between \"{}\" and \"{}\" is already declared as link[{first}]",
                    a.get_ref(),
                    b.get_ref()
                ),
            )
            .with_help("keep one [[link]] per pair of regions"));
    }
    let rtt = match (&raw.rtt, catalog::rtt_ms(a.get_ref(), b.get_ref())) {
        (Some(rtt), _) => dist::latency(ctx, rtt, &format!("{key}.rtt"))?,
        // A catalogue pair keeps its catalogue RTT: the link only adds a bandwidth.
        (None, Some(ms)) => catalogue_rtt(ms),
        (None, None) => {
            let outside: Vec<String> = [a.get_ref(), b.get_ref()]
                .into_iter()
                .filter(|n| !catalog::contains(n))
                .map(|n| format!("\"{n}\""))
                .collect();
            let verb = if outside.len() == 1 { "is" } else { "are" };
            return Err(ctx
                .error(
                    l.span(),
                    &format!("{key}.rtt"),
                    format!(
                        "missing key `rtt`: {} {verb} not in the region catalogue, so this link has no built-in RTT",
                        outside.join(" and ")
                    ),
                )
                .with_help("add the measured round trip, e.g. rtt = \"80ms\" (or a distribution)"));
        }
    };
    let bandwidth_bytes_per_s = match &raw.bandwidth {
        None => None,
        Some(bw) => {
            let k = format!("{key}.bandwidth");
            let v =
                units::parse_bandwidth(&bw.get_ref().0).map_err(|m| ctx.error(bw.span(), &k, m))?;
            if v <= 0.0 {
                return Err(ctx
                    .error(bw.span(), &k, "bandwidth must be more than 0")
                    .with_help("leave `bandwidth` out for a link with no throughput limit"));
            }
            Some(v)
        }
    };
    Ok((
        ia,
        ib,
        Link {
            rtt,
            bandwidth_bytes_per_s,
        },
    ))
}

/// Fills every pair without a `[[link]]` from the catalogue, or reports the first pair
/// (in declaration order) that has neither.
fn fill_from_catalog(
    ctx: &Ctx,
    regions: &[Spanned<RawRegion>],
    names: &Names,
    matrix: &mut [Vec<Option<Link>>],
) -> Result<(), GeoError> {
    // Pairs (i, j), i < j, ordered by j so the error names the later-declared region.
    let n = matrix.len();
    let pairs = (0..n).flat_map(|j| (0..j).map(move |i| (i, j)));
    for (i, j) in pairs {
        if matrix[i][j].is_some() {
            continue;
        }
        let (a, b) = (names.name(i), names.name(j));
        let Some(ms) = catalog::rtt_ms(a, b) else {
            return Err(missing_link(ctx, regions.get(j), j, a, b));
        };
        let link = Link {
            rtt: catalogue_rtt(ms),
            bandwidth_bytes_per_s: None,
        };
        matrix[i][j] = Some(link.clone());
        matrix[j][i] = Some(link);
    }
    Ok(())
}

/// The RTT of a catalogue pair: only medians are published, so a constant.
fn catalogue_rtt(ms: f64) -> Sampled {
    Sampled::constant(ms * NS_PER_MS as f64)
}

/// No `[[link]]` and no catalogue RTT for `a` and `b`; points at region `j`'s name.
fn missing_link(
    ctx: &Ctx,
    region: Option<&Spanned<RawRegion>>,
    j: usize,
    a: &str,
    b: &str,
) -> GeoError {
    let span = region.map_or(0..0, |r| {
        r.get_ref().name.as_ref().map_or(r.span(), |n| n.span())
    });
    let outside: Vec<String> = [a, b]
        .into_iter()
        .filter(|n| !catalog::contains(n))
        .map(|n| format!("\"{n}\""))
        .collect();
    let verb = if outside.len() == 1 { "is" } else { "are" };
    ctx.error(
        span,
        &format!("region[{j}].name"),
        format!(
            "no link between \"{a}\" and \"{b}\": {} {verb} not in the region catalogue, so this pair has no RTT",
            outside.join(" and ")
        ),
    )
    .with_help(format!(
        "add [[link]] between = [\"{a}\", \"{b}\"] with an rtt, e.g. rtt = \"80ms\""
    ))
}
