//! Components made from WIT alone, for tests of what kv-adapt does with a component's
//! names and types rather than with its code: wit-component's dummy module implements
//! every export of the world and calls nothing.

/// A component of the world `w` in `wit`, resolved beside our WIT (`wit/kv-adapt` and its
/// deps) and `packages` (WIT texts).
pub fn component_importing_with(packages: &[String], wit: &str) -> Vec<u8> {
    let mut resolve = wit_parser::Resolve::default();
    resolve.push_path(concat!(env!("CARGO_MANIFEST_DIR"), "/wit/kv-adapt")).unwrap();
    for (i, package) in packages.iter().enumerate() {
        resolve.push_str(format!("package-{i}.wit"), package).unwrap();
    }
    let pkg = resolve.push_str("fixture.wit", wit).unwrap();
    let world = resolve.select_world(&[pkg], Some("w")).unwrap();
    let mut module = wit_component::dummy_module(&resolve, world, wit_parser::ManglingAndAbi::Standard32);
    wit_component::embed_component_metadata(&mut module, &resolve, world, wit_component::StringEncoding::UTF8).unwrap();
    wit_component::ComponentEncoder::default().module(&module).unwrap().validate(true).encode().unwrap()
}
