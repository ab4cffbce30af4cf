//! The generated Kathan client against a loopback server.
