//! Members whose Rust names would collide: one of each pair is dropped, the one a caller is
//! least likely to need.

use std::collections::HashMap;

use acs_spec::names;

use crate::notes::Notes;

/// Whether a member looks superseded: marked deprecated, or described as going away (ECS
/// documents its lower-case `key`/`value` tag members that way without marking them).
pub(crate) fn legacy(deprecated: bool, description: Option<&String>) -> bool {
    deprecated
        || description.is_some_and(|d| {
            let d = d.to_ascii_lowercase();
            d.contains("deprecated") || d.contains("will be removed") || d.contains("废弃")
        })
}

/// How a list of members is named in warnings, and where it is.
pub(crate) struct MemberList<'a> {
    /// `parameters`, `members`.
    pub(crate) what: &'a str,
    /// Where the list is in the metadata (empty for an operation's parameters).
    pub(crate) at: &'a str,
}

/// Drops members whose Rust names collide with another member's. Which one goes: the legacy
/// one (see [`legacy`]) when only one is; else the one whose name does not start with an
/// upper-case letter (Alibaba's names are UpperCamelCase) when only one does not; else the
/// later one.
pub(crate) fn drop_colliding<T>(
    items: Vec<T>,
    name: impl Fn(&T) -> &str,
    is_legacy: impl Fn(&T) -> bool,
    list: &MemberList<'_>,
    notes: &mut Notes,
) -> Vec<T> {
    let rank = |item: &T| {
        (
            is_legacy(item),
            !name(item).starts_with(|c: char| c.is_ascii_uppercase()),
        )
    };
    let what = list.what;
    let mut keep: Vec<Option<T>> = Vec::new();
    let mut taken: HashMap<String, usize> = HashMap::new();
    for item in items {
        let index = keep.len();
        let mine = names::param_ident(name(&item))
            .trim_start_matches("r#")
            .to_owned();
        let Some(other) = taken.get(&mine).copied() else {
            taken.insert(mine, index);
            keep.push(Some(item));
            continue;
        };
        let other_item = keep[other].as_ref().expect("kept items are present");
        let other_name = name(other_item).to_owned();
        let item_name = name(&item).to_owned();
        if rank(other_item) > rank(&item) {
            let note = if is_legacy(other_item) { " legacy" } else { "" };
            notes.warn(
                list.at,
                format!(
                    "{what} `{other_name}` and `{item_name}` need the same Rust name; dropped the{note} `{other_name}`"
                ),
            );
            taken.retain(|_, i| *i != other);
            taken.insert(mine, other);
            keep[other] = Some(item);
        } else {
            let note = if is_legacy(&item) { " legacy" } else { "" };
            notes.warn(
                list.at,
                format!(
                    "{what} `{item_name}` and `{other_name}` need the same Rust name; dropped the{note} `{item_name}`"
                ),
            );
        }
    }
    keep.into_iter().flatten().collect()
}
