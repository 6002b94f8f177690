//! HTTP plumbing: response bodies, replies, request bodies and the streaming multipart reader.

pub(crate) mod body;
pub(crate) mod multipart;
pub(crate) mod reply;
