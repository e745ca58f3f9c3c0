//! The flows, each a small request builder.

pub(crate) mod callback;
pub mod code;
pub(crate) mod extra;
pub mod grants;
pub mod implicit;
mod par;
pub mod tokens;
