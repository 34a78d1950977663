//! 决定机关与报送单位 — in whose name a department may submit.
//!
//! A record names the authority that decided it (the catalog type's `authority` fields, e.g.
//! 行政处罚's 处罚机关 and 处罚机关统一社会信用代码). Publishing it makes the platform say, in public
//! (双公示, open data), that this authority decided it; and the authority's credit office is
//! answerable for it. So the deciding authority must be the submitting department itself, or a
//! body that department is **authorised** to submit for: the deployment's [`Delegations`]
//! (`data/authority/delegations.toml` shipped, replaced per deployment), loaded at start and
//! checked ([`Delegations::parse`]). [`standing`] answers for one decision; a row that has none
//! is refused with [`NotAuthorised`] (`authority_not_authorised`), naming both bodies.
//!
//! A delegation only reaches bodies within the submitter's own region (that region and below):
//! a county department can never be configured to publish in another county's name.

mod delegations;
mod rule;
mod scope;
#[cfg(test)]
mod tests;

pub use delegations::*;
pub use rule::*;
pub use scope::*;
