//! Compiles the protobuf contract under `proto/` into Rust (messages, tonic
//! servers and clients) and writes the file descriptor set that gRPC
//! reflection and the contract test need.
//!
//! Every `.proto` file under `proto/` is compiled, found by walking the
//! directory, so that a new file is picked up without touching this script.

use std::error::Error;
use std::path::{Path, PathBuf};
use std::{env, fs};

/// Root of the protobuf sources, relative to the package root.
const PROTO_ROOT: &str = "proto";

/// Name of the descriptor set written to OUT_DIR; `src/lib.rs` includes it.
const DESCRIPTOR_FILE: &str = "ralio_descriptor.bin";

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo:rerun-if-changed={PROTO_ROOT}");

    let mut protos = Vec::new();
    collect_protos(Path::new(PROTO_ROOT), &mut protos)?;
    // Sorted so that generated code and the descriptor set do not depend on
    // directory iteration order.
    protos.sort();
    for proto in &protos {
        println!("cargo:rerun-if-changed={}", proto.display());
    }

    let out_dir = PathBuf::from(env::var("OUT_DIR")?);

    // A vendored protoc: builds do not depend on what the machine has
    // installed. Its include directory provides google/protobuf/*.proto.
    let mut config = tonic_prost_build::Config::new();
    config.protoc_executable(protoc_bin_vendored::protoc_bin_path()?);

    let includes = [
        PathBuf::from(PROTO_ROOT),
        protoc_bin_vendored::include_path()?,
    ];

    tonic_prost_build::configure()
        .build_server(true)
        .build_client(true)
        .file_descriptor_set_path(out_dir.join(DESCRIPTOR_FILE))
        .compile_with_config(config, &protos, &includes)?;
    Ok(())
}

/// Appends every `*.proto` file below `dir` (recursively) to `out`.
fn collect_protos(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), Box<dyn Error>> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_protos(&path, out)?;
        } else if path.extension().is_some_and(|ext| ext == "proto") {
            out.push(path);
        }
    }
    Ok(())
}
