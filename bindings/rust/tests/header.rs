//! The `extern "C"` declarations in src/ffi.rs must match include/relu.h:
//! the same functions, each with the same return type and the same
//! parameter types in the same order. Also the enum values, the relu_quant
//! layout and the version.
use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;

use relu::ffi;

fn header_paths() -> Vec<PathBuf> {
    let mut v = Vec::new();
    if let Ok(p) = std::env::var("RELU_HEADER") {
        v.push(PathBuf::from(p));
    }
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../include/relu.h");
    if repo.is_file() {
        v.push(repo);
    }
    if let Some(p) = option_env!("RELU_INSTALLED_HEADER") {
        if PathBuf::from(p).is_file() {
            v.push(PathBuf::from(p));
        }
    }
    assert!(!v.is_empty(), "no relu.h found: set RELU_HEADER");
    v
}

fn strip_comments(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    loop {
        let block = rest.find("/*");
        let line = rest.find("//");
        let start = match (block, line) {
            (Some(b), Some(l)) => b.min(l),
            (Some(b), None) => b,
            (None, Some(l)) => l,
            (None, None) => break,
        };
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        let end = if after.starts_with("/*") {
            after.find("*/").map(|e| e + 2).unwrap_or(after.len())
        } else {
            after.find('\n').unwrap_or(after.len())
        };
        out.push(' ');
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

type Protos = BTreeMap<String, (String, Vec<String>)>;

/// name -> (return type, [parameter declarations]) for every RELU_API prototype.
fn parse_prototypes(text: &str) -> Protos {
    let text = strip_comments(text);
    let mut protos = BTreeMap::new();
    for chunk in text.split("RELU_API").skip(1) {
        // Chunks that follow the `#define RELU_API ...` lines are not prototypes.
        let decl = match chunk.find(';') {
            Some(end) => &chunk[..end],
            None => continue,
        };
        if decl.contains('#') || !decl.contains('(') {
            continue;
        }
        let open = decl.find('(').expect("prototype without '('");
        let close = decl.rfind(')').expect("prototype without ')'");
        let head = decl[..open].replace('*', " * ");
        let head: Vec<&str> = head.split_whitespace().collect();
        let (name, ret) = head.split_last().expect("no name");
        let params = decl[open + 1..close].trim();
        let params = if params.is_empty() || params == "void" {
            Vec::new()
        } else {
            params.split(',').map(|p| p.split_whitespace().collect::<Vec<_>>().join(" ")).collect()
        };
        protos.insert(name.to_string(), (ret.join(" "), params));
    }
    protos
}

/// A C type (with or without a trailing parameter name) as the Rust type
/// src/ffi.rs must use, without spaces.
fn rust_type(c: &str, has_name: bool) -> String {
    let spaced = c.replace('*', " * ");
    let mut tokens: Vec<&str> = spaced.split_whitespace().collect();
    if has_name {
        let last = tokens.pop().expect("empty parameter");
        assert!(last.chars().all(|ch| ch.is_alphanumeric() || ch == '_') && !tokens.is_empty(),
                "parameter without a name: {:?}", c);
    }
    let is_const = tokens.contains(&"const");
    let stars = tokens.iter().filter(|t| **t == "*").count();
    let base = tokens.iter().find(|t| **t != "const" && **t != "*").expect("no base type");
    let base = match *base {
        "float" => "f32",
        "double" => "f64",
        "int8_t" => "i8",
        "int32_t" => "i32",
        "size_t" => "usize",
        "int" => "c_int",
        "char" => "c_char",
        "relu_quant" => "relu_quant",
        "relu_status" => "relu_status",
        "relu_isa" => "relu_isa",
        other => panic!("C type {:?} has no mapping here (update tests/header.rs)", other),
    };
    assert!(stars <= 1, "{:?}", c);
    let t = if stars == 1 {
        format!("*{} {}", if is_const { "const" } else { "mut" }, base)
    } else {
        base.to_string()
    };
    t.replace(' ', "")
}

fn nospace(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn declarations_match_the_header() {
    let decls = ffi::declarations();
    for path in header_paths() {
        let text = fs::read_to_string(&path).unwrap();
        let protos = parse_prototypes(&text);
        assert!(protos.len() > 50, "{}: only {} prototypes parsed", path.display(), protos.len());
        let rust: BTreeMap<&str, &ffi::Decl> = decls.iter().map(|d| (d.name, d)).collect();
        assert_eq!(rust.len(), decls.len(), "a function is declared twice");
        let missing: Vec<_> = protos.keys().filter(|k| !rust.contains_key(k.as_str())).collect();
        let extra: Vec<_> = rust.keys().filter(|k| !protos.contains_key(**k)).collect();
        assert!(missing.is_empty() && extra.is_empty(),
                "{}: in the header only: {:?}; in ffi.rs only: {:?}", path.display(), missing, extra);
        for (name, (ret, params)) in &protos {
            let d = rust[name.as_str()];
            assert_eq!(nospace(d.ret), rust_type(ret, false), "{}: return type", name);
            assert_eq!(d.params.len(), params.len(), "{}: parameter count", name);
            for (i, (r, c)) in d.params.iter().zip(params).enumerate() {
                assert_eq!(nospace(r), rust_type(c, true), "{}: parameter {} ({})", name, i, c);
            }
            assert_ne!(d.addr, 0, "{} not linked", name);
        }
    }
}

fn enum_values(text: &str, prefix: &str) -> BTreeMap<String, i32> {
    let text = strip_comments(text);
    let mut out = BTreeMap::new();
    let mut rest = text.as_str();
    while let Some(pos) = rest.find(prefix) {
        let tail = &rest[pos..];
        let name_end = tail
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(tail.len());
        let name = &tail[..name_end];
        let after = tail[name_end..].trim_start();
        if let Some(v) = after.strip_prefix('=') {
            let v = v.trim_start();
            let digits: String = v.chars().take_while(|c| c.is_ascii_digit()).collect();
            if !digits.is_empty() {
                out.insert(name.to_string(), digits.parse().unwrap());
            }
        }
        rest = &tail[name_end..];
    }
    out
}

#[test]
fn enums_layout_and_version_match_the_header() {
    let known: BTreeMap<&str, i32> = [
        ("RELU_OK", ffi::RELU_OK),
        ("RELU_ERR_NULL", ffi::RELU_ERR_NULL),
        ("RELU_ERR_PARAM", ffi::RELU_ERR_PARAM),
        ("RELU_ERR_OVERLAP", ffi::RELU_ERR_OVERLAP),
        ("RELU_ERR_SIZE", ffi::RELU_ERR_SIZE),
        ("RELU_ERR_UNSUPPORTED", ffi::RELU_ERR_UNSUPPORTED),
        ("RELU_ISA_SCALAR", ffi::RELU_ISA_SCALAR),
        ("RELU_ISA_AVX2", ffi::RELU_ISA_AVX2),
        ("RELU_ISA_AVX512", ffi::RELU_ISA_AVX512),
        ("RELU_ISA_NEON", ffi::RELU_ISA_NEON),
    ]
    .into_iter()
    .collect();
    for path in header_paths() {
        let text = fs::read_to_string(&path).unwrap();
        let mut header = enum_values(&text, "RELU_ERR_");
        header.extend(enum_values(&text, "RELU_OK"));
        header.extend(enum_values(&text, "RELU_ISA_"));
        let versions = enum_values(&text, "RELU_VERSION_");
        assert_eq!(header.len(), known.len(), "{:?}", header);
        for (name, value) in &header {
            assert_eq!(known.get(name.as_str()), Some(value), "{}", name);
        }
        // The version macros name the library we link (its major at least).
        let major = text
            .lines()
            .find(|l| l.starts_with("#define RELU_VERSION_MAJOR"))
            .and_then(|l| l.split_whitespace().nth(2))
            .expect("RELU_VERSION_MAJOR");
        assert!(relu::version().starts_with(&format!("{}.", major)), "{}", relu::version());
        let _ = versions;
    }
    assert_eq!(std::mem::size_of::<relu::Quant>(), 8);
    assert_eq!(std::mem::align_of::<relu::Quant>(), 4);
    let q = relu::Quant::new(1.0, 2);
    let base = &q as *const _ as usize;
    assert_eq!(&q.scale as *const _ as usize - base, 0);
    assert_eq!(&q.zero_point as *const _ as usize - base, 4);
    for isa in relu::Isa::ALL {
        assert_eq!(relu::Isa::from_name(isa.name()), Some(isa));
    }
}

#[test]
fn parser_sanity() {
    let p = parse_prototypes(
        "/* c */ RELU_API relu_status relu_x(const float *x, float *y, size_t n); // z\n\
         #define RELU_API\nRELU_API const char *relu_s(void);",
    );
    assert_eq!(p["relu_x"].1, vec!["const float *x", "float *y", "size_t n"]);
    assert_eq!(rust_type("const float *x", true), "*constf32");
    assert_eq!(rust_type(&p["relu_s"].0, false), "*constc_char");
    assert!(p["relu_s"].1.is_empty());
}
