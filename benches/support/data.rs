//! Where the benchmarks find their data: `NEWSWIRE_BENCH_DATA` names the bench-data folder (the
//! one holding `article-extraction/`, `langdetect/` and `translation/`); without it,
//! `../shared/bench-data` beside the project. Each bench reads its own subfolder of it.

use std::path::PathBuf;

pub fn bench_data(subfolder: &str) -> PathBuf {
    let root = std::env::var_os("NEWSWIRE_BENCH_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/bench-data"));
    root.join(subfolder)
}
