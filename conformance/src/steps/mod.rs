//! The Gherkin vocabulary, one module per area. Steps are a few lines each and
//! call [`OAuthWorld`](crate::OAuthWorld) methods.

mod authorization;
mod jwt;
mod management;
mod metadata;
mod par;
mod segment;
mod token;
mod tokens;
