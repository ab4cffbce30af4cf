//! Fuzz target `generate`: any bytes as spec text through the whole generator, with libFuzzer's
//! byte-level mutations. Run it with `cargo xtask fuzz`.
#![no_main]

use libfuzzer_sys::{Corpus, fuzz_target};

fuzz_target!(init: generator_fuzz::report_stack_overflows(), |data: &[u8]| -> Corpus {
    if generator_fuzz::check(data) { Corpus::Keep } else { Corpus::Reject }
});
