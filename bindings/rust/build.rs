// Finds librelu for linking, without crates:
//   1. `RELU_LIB_DIR` (a directory holding librelu.so): link from there;
//   2. otherwise the `pkg-config` program (`$PKG_CONFIG`, default
//      `pkg-config`) run as a subprocess: `pkg-config --libs relu`;
//   3. otherwise plain `-lrelu` from the linker's default paths, with a
//      warning.
// `RELU_STATIC=1` links librelu.a instead (with the libraries its .pc names
// in Libs.private). The directory found is also put in the rpath of this
// crate's own test and example binaries, so `cargo test` runs without
// LD_LIBRARY_PATH.
use std::env;
use std::path::Path;
use std::process::Command;

fn pkg_config(args: &[&str]) -> Option<String> {
    let program = env::var("PKG_CONFIG").unwrap_or_else(|_| "pkg-config".to_string());
    let out = Command::new(program).args(args).arg("relu").output().ok()?;
    if !out.status.success() {
        return None;
    }
    String::from_utf8(out.stdout).ok()
}

fn main() {
    for var in ["RELU_LIB_DIR", "RELU_STATIC", "PKG_CONFIG", "PKG_CONFIG_PATH", "PKG_CONFIG_LIBDIR"] {
        println!("cargo:rerun-if-env-changed={}", var);
    }
    println!("cargo:rerun-if-changed=build.rs");
    let static_link = env::var("RELU_STATIC").map(|v| v == "1").unwrap_or(false);
    let kind = if static_link { "static" } else { "dylib" };

    let mut lib_dirs: Vec<String> = Vec::new();
    if let Ok(dir) = env::var("RELU_LIB_DIR") {
        if !Path::new(&dir).is_dir() {
            panic!("RELU_LIB_DIR={} is not a directory", dir);
        }
        let header = Path::new(&dir).join("..").join("include").join("relu.h");
        if header.is_file() {
            println!("cargo:rustc-env=RELU_INSTALLED_HEADER={}", header.display());
        }
        lib_dirs.push(dir);
        println!("cargo:rustc-link-lib={}=relu", kind);
        if static_link {
            for l in ["cpu_features", "pthread", "m"] {
                println!("cargo:rustc-link-lib={}", l);
            }
        }
    } else {
        let mut args = vec!["--libs"];
        if static_link {
            args.push("--static");
        }
        match pkg_config(&args) {
            Some(flags) => {
                for flag in flags.split_whitespace() {
                    if let Some(dir) = flag.strip_prefix("-L") {
                        lib_dirs.push(dir.to_string());
                    } else if let Some(lib) = flag.strip_prefix("-l") {
                        let k = if lib == "relu" { kind } else { "dylib" };
                        println!("cargo:rustc-link-lib={}={}", k, lib);
                    }
                }
                if let Some(inc) = pkg_config(&["--variable=includedir"]) {
                    let header = Path::new(inc.trim()).join("relu.h");
                    println!("cargo:rustc-env=RELU_INSTALLED_HEADER={}", header.display());
                }
            }
            None => {
                println!(
                    "cargo:warning=pkg-config found no relu.pc (set PKG_CONFIG_PATH or RELU_LIB_DIR); \
                     trying -lrelu from the default paths"
                );
                println!("cargo:rustc-link-lib={}=relu", kind);
            }
        }
    }
    for dir in &lib_dirs {
        println!("cargo:rustc-link-search=native={}", dir);
        if !static_link && env::var("CARGO_CFG_TARGET_OS").map(|o| o != "windows").unwrap_or(true) {
            println!("cargo:rustc-link-arg=-Wl,-rpath,{}", dir);
        }
    }
    if let Some(dir) = lib_dirs.first() {
        println!("cargo:lib_dir={}", dir); // DEP_RELU_LIB_DIR for dependants
    }
}
