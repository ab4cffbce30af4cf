//! Fuzz target `generate_json`: the same check as `generate`, but inputs are mutated as JSON
//! trees (subtrees moved, keywords added, `$ref`s pointed anywhere), so they stay well-formed
//! documents and reach the later stages. Run it with `cargo xtask fuzz`.
#![no_main]

use libfuzzer_sys::{Corpus, fuzz_mutator, fuzz_target, fuzzer_mutate};

fuzz_target!(init: generator_fuzz::report_stack_overflows(), |data: &[u8]| -> Corpus {
    if generator_fuzz::check(data) { Corpus::Keep } else { Corpus::Reject }
});

fuzz_mutator!(|data: &mut [u8], size: usize, max_size: usize, seed: u32| {
    generator_fuzz::mutate_json(data, size, max_size, seed, &mut fuzzer_mutate)
});
