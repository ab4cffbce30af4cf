//! The generated Truedy client: seed examples and behaviour against a loopback server.
