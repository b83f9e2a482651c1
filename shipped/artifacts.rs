// Written by `cargo run -p kv-adapt-wasm-build --bin rebuild-shipped`, with the components
// beside it; `--check` (in .ci/run) fails when a fresh build differs. Do not edit.

pub const ADAPTERS: &[Adapter] = &[
    Adapter { source: Generation::G1, target: Generation::G5, bodies: Bodies::Adapter, batch: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-g1-on-g5.wasm")) },
    Adapter { source: Generation::G1, target: Generation::G6, bodies: Bodies::Adapter, batch: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-g1-on-g6.wasm")) },
    Adapter { source: Generation::G2, target: Generation::G5, bodies: Bodies::Host, batch: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-g2-on-g5.wasm")) },
    Adapter { source: Generation::G2, target: Generation::G5, bodies: Bodies::Adapter, batch: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-g2-on-g5-io.wasm")) },
    Adapter { source: Generation::G2, target: Generation::G5, bodies: Bodies::Wrapping(Wrapped { stdio: true, clock: false, files: false }), batch: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-g2-on-g5-io-wasi-stdio.wasm")) },
    Adapter { source: Generation::G2, target: Generation::G5, bodies: Bodies::Wrapping(Wrapped { stdio: false, clock: true, files: false }), batch: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-g2-on-g5-io-wasi-clock.wasm")) },
    Adapter { source: Generation::G2, target: Generation::G5, bodies: Bodies::Wrapping(Wrapped { stdio: true, clock: true, files: false }), batch: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-g2-on-g5-io-wasi-stdio-clock.wasm")) },
    Adapter { source: Generation::G2, target: Generation::G5, bodies: Bodies::Wrapping(Wrapped { stdio: false, clock: false, files: true }), batch: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-g2-on-g5-io-wasi-files.wasm")) },
    Adapter { source: Generation::G2, target: Generation::G5, bodies: Bodies::Wrapping(Wrapped { stdio: true, clock: false, files: true }), batch: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-g2-on-g5-io-wasi-stdio-files.wasm")) },
    Adapter { source: Generation::G2, target: Generation::G5, bodies: Bodies::Wrapping(Wrapped { stdio: false, clock: true, files: true }), batch: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-g2-on-g5-io-wasi-clock-files.wasm")) },
    Adapter { source: Generation::G2, target: Generation::G5, bodies: Bodies::Wrapping(Wrapped { stdio: true, clock: true, files: true }), batch: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-g2-on-g5-io-wasi-stdio-clock-files.wasm")) },
    Adapter { source: Generation::G2, target: Generation::G6, bodies: Bodies::Host, batch: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-g2-on-g6.wasm")) },
    Adapter { source: Generation::G2, target: Generation::G6, bodies: Bodies::Adapter, batch: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-g2-on-g6-io.wasm")) },
    Adapter { source: Generation::G2, target: Generation::G6, bodies: Bodies::Wrapping(Wrapped { stdio: true, clock: false, files: false }), batch: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-g2-on-g6-io-wasi-stdio.wasm")) },
    Adapter { source: Generation::G2, target: Generation::G6, bodies: Bodies::Wrapping(Wrapped { stdio: false, clock: true, files: false }), batch: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-g2-on-g6-io-wasi-clock.wasm")) },
    Adapter { source: Generation::G2, target: Generation::G6, bodies: Bodies::Wrapping(Wrapped { stdio: true, clock: true, files: false }), batch: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-g2-on-g6-io-wasi-stdio-clock.wasm")) },
    Adapter { source: Generation::G2, target: Generation::G6, bodies: Bodies::Wrapping(Wrapped { stdio: false, clock: false, files: true }), batch: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-g2-on-g6-io-wasi-files.wasm")) },
    Adapter { source: Generation::G2, target: Generation::G6, bodies: Bodies::Wrapping(Wrapped { stdio: true, clock: false, files: true }), batch: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-g2-on-g6-io-wasi-stdio-files.wasm")) },
    Adapter { source: Generation::G2, target: Generation::G6, bodies: Bodies::Wrapping(Wrapped { stdio: false, clock: true, files: true }), batch: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-g2-on-g6-io-wasi-clock-files.wasm")) },
    Adapter { source: Generation::G2, target: Generation::G6, bodies: Bodies::Wrapping(Wrapped { stdio: true, clock: true, files: true }), batch: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-g2-on-g6-io-wasi-stdio-clock-files.wasm")) },
    Adapter { source: Generation::G3, target: Generation::G5, bodies: Bodies::Host, batch: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-g3-on-g5.wasm")) },
    Adapter { source: Generation::G3, target: Generation::G5, bodies: Bodies::Adapter, batch: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-g3-on-g5-io.wasm")) },
    Adapter { source: Generation::G3, target: Generation::G5, bodies: Bodies::Wrapping(Wrapped { stdio: true, clock: false, files: false }), batch: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-g3-on-g5-io-wasi-stdio.wasm")) },
    Adapter { source: Generation::G3, target: Generation::G5, bodies: Bodies::Wrapping(Wrapped { stdio: false, clock: true, files: false }), batch: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-g3-on-g5-io-wasi-clock.wasm")) },
    Adapter { source: Generation::G3, target: Generation::G5, bodies: Bodies::Wrapping(Wrapped { stdio: true, clock: true, files: false }), batch: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-g3-on-g5-io-wasi-stdio-clock.wasm")) },
    Adapter { source: Generation::G3, target: Generation::G5, bodies: Bodies::Wrapping(Wrapped { stdio: false, clock: false, files: true }), batch: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-g3-on-g5-io-wasi-files.wasm")) },
    Adapter { source: Generation::G3, target: Generation::G5, bodies: Bodies::Wrapping(Wrapped { stdio: true, clock: false, files: true }), batch: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-g3-on-g5-io-wasi-stdio-files.wasm")) },
    Adapter { source: Generation::G3, target: Generation::G5, bodies: Bodies::Wrapping(Wrapped { stdio: false, clock: true, files: true }), batch: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-g3-on-g5-io-wasi-clock-files.wasm")) },
    Adapter { source: Generation::G3, target: Generation::G5, bodies: Bodies::Wrapping(Wrapped { stdio: true, clock: true, files: true }), batch: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-g3-on-g5-io-wasi-stdio-clock-files.wasm")) },
    Adapter { source: Generation::G3, target: Generation::G6, bodies: Bodies::Host, batch: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-g3-on-g6.wasm")) },
    Adapter { source: Generation::G3, target: Generation::G6, bodies: Bodies::Adapter, batch: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-g3-on-g6-io.wasm")) },
    Adapter { source: Generation::G3, target: Generation::G6, bodies: Bodies::Wrapping(Wrapped { stdio: true, clock: false, files: false }), batch: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-g3-on-g6-io-wasi-stdio.wasm")) },
    Adapter { source: Generation::G3, target: Generation::G6, bodies: Bodies::Wrapping(Wrapped { stdio: false, clock: true, files: false }), batch: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-g3-on-g6-io-wasi-clock.wasm")) },
    Adapter { source: Generation::G3, target: Generation::G6, bodies: Bodies::Wrapping(Wrapped { stdio: true, clock: true, files: false }), batch: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-g3-on-g6-io-wasi-stdio-clock.wasm")) },
    Adapter { source: Generation::G3, target: Generation::G6, bodies: Bodies::Wrapping(Wrapped { stdio: false, clock: false, files: true }), batch: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-g3-on-g6-io-wasi-files.wasm")) },
    Adapter { source: Generation::G3, target: Generation::G6, bodies: Bodies::Wrapping(Wrapped { stdio: true, clock: false, files: true }), batch: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-g3-on-g6-io-wasi-stdio-files.wasm")) },
    Adapter { source: Generation::G3, target: Generation::G6, bodies: Bodies::Wrapping(Wrapped { stdio: false, clock: true, files: true }), batch: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-g3-on-g6-io-wasi-clock-files.wasm")) },
    Adapter { source: Generation::G3, target: Generation::G6, bodies: Bodies::Wrapping(Wrapped { stdio: true, clock: true, files: true }), batch: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-g3-on-g6-io-wasi-stdio-clock-files.wasm")) },
    Adapter { source: Generation::G4, target: Generation::G5, bodies: Bodies::Host, batch: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-g4-on-g5.wasm")) },
    Adapter { source: Generation::G4, target: Generation::G5, bodies: Bodies::Adapter, batch: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-g4-on-g5-io.wasm")) },
    Adapter { source: Generation::G4, target: Generation::G5, bodies: Bodies::Wrapping(Wrapped { stdio: true, clock: false, files: false }), batch: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-g4-on-g5-io-wasi-stdio.wasm")) },
    Adapter { source: Generation::G4, target: Generation::G5, bodies: Bodies::Wrapping(Wrapped { stdio: false, clock: true, files: false }), batch: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-g4-on-g5-io-wasi-clock.wasm")) },
    Adapter { source: Generation::G4, target: Generation::G5, bodies: Bodies::Wrapping(Wrapped { stdio: true, clock: true, files: false }), batch: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-g4-on-g5-io-wasi-stdio-clock.wasm")) },
    Adapter { source: Generation::G4, target: Generation::G5, bodies: Bodies::Wrapping(Wrapped { stdio: false, clock: false, files: true }), batch: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-g4-on-g5-io-wasi-files.wasm")) },
    Adapter { source: Generation::G4, target: Generation::G5, bodies: Bodies::Wrapping(Wrapped { stdio: true, clock: false, files: true }), batch: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-g4-on-g5-io-wasi-stdio-files.wasm")) },
    Adapter { source: Generation::G4, target: Generation::G5, bodies: Bodies::Wrapping(Wrapped { stdio: false, clock: true, files: true }), batch: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-g4-on-g5-io-wasi-clock-files.wasm")) },
    Adapter { source: Generation::G4, target: Generation::G5, bodies: Bodies::Wrapping(Wrapped { stdio: true, clock: true, files: true }), batch: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-g4-on-g5-io-wasi-stdio-clock-files.wasm")) },
    Adapter { source: Generation::G4, target: Generation::G6, bodies: Bodies::Host, batch: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-g4-on-g6.wasm")) },
    Adapter { source: Generation::G4, target: Generation::G6, bodies: Bodies::Adapter, batch: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-g4-on-g6-io.wasm")) },
    Adapter { source: Generation::G4, target: Generation::G6, bodies: Bodies::Wrapping(Wrapped { stdio: true, clock: false, files: false }), batch: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-g4-on-g6-io-wasi-stdio.wasm")) },
    Adapter { source: Generation::G4, target: Generation::G6, bodies: Bodies::Wrapping(Wrapped { stdio: false, clock: true, files: false }), batch: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-g4-on-g6-io-wasi-clock.wasm")) },
    Adapter { source: Generation::G4, target: Generation::G6, bodies: Bodies::Wrapping(Wrapped { stdio: true, clock: true, files: false }), batch: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-g4-on-g6-io-wasi-stdio-clock.wasm")) },
    Adapter { source: Generation::G4, target: Generation::G6, bodies: Bodies::Wrapping(Wrapped { stdio: false, clock: false, files: true }), batch: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-g4-on-g6-io-wasi-files.wasm")) },
    Adapter { source: Generation::G4, target: Generation::G6, bodies: Bodies::Wrapping(Wrapped { stdio: true, clock: false, files: true }), batch: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-g4-on-g6-io-wasi-stdio-files.wasm")) },
    Adapter { source: Generation::G4, target: Generation::G6, bodies: Bodies::Wrapping(Wrapped { stdio: false, clock: true, files: true }), batch: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-g4-on-g6-io-wasi-clock-files.wasm")) },
    Adapter { source: Generation::G4, target: Generation::G6, bodies: Bodies::Wrapping(Wrapped { stdio: true, clock: true, files: true }), batch: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-g4-on-g6-io-wasi-stdio-clock-files.wasm")) },
    Adapter { source: Generation::G5, target: Generation::G6, bodies: Bodies::Host, batch: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-g5-on-g6.wasm")) },
    Adapter { source: Generation::G6, target: Generation::G5, bodies: Bodies::Host, batch: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-g6-on-g5.wasm")) },
    Adapter { source: Generation::G5, target: Generation::G3, bodies: Bodies::Host, batch: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-g5-on-g3.wasm")) },
    Adapter { source: Generation::G5, target: Generation::G4, bodies: Bodies::Host, batch: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-g5-on-g4.wasm")) },
    Adapter { source: Generation::G6, target: Generation::G3, bodies: Bodies::Host, batch: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-g6-on-g3.wasm")) },
    Adapter { source: Generation::G6, target: Generation::G4, bodies: Bodies::Host, batch: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-g6-on-g4.wasm")) },
    Adapter { source: Generation::G5, target: Generation::G2, bodies: Bodies::Host, batch: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-g5-on-g2.wasm")) },
    Adapter { source: Generation::G6, target: Generation::G2, bodies: Bodies::Host, batch: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-g6-on-g2.wasm")) },
    Adapter { source: Generation::Spin1, target: Generation::G5, bodies: Bodies::Host, batch: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-spin1-on-g5.wasm")) },
    Adapter { source: Generation::Spin1, target: Generation::G6, bodies: Bodies::Host, batch: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-spin1-on-g6.wasm")) },
    Adapter { source: Generation::Spin1, target: Generation::G2, bodies: Bodies::Host, batch: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-spin1-on-g2.wasm")) },
    Adapter { source: Generation::Spin1, target: Generation::G3, bodies: Bodies::Host, batch: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-spin1-on-g3.wasm")) },
    Adapter { source: Generation::Spin1, target: Generation::G4, bodies: Bodies::Host, batch: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-spin1-on-g4.wasm")) },
    Adapter { source: Generation::Spin2, target: Generation::G5, bodies: Bodies::Host, batch: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-spin2-on-g5.wasm")) },
    Adapter { source: Generation::Spin2, target: Generation::G6, bodies: Bodies::Host, batch: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-spin2-on-g6.wasm")) },
    Adapter { source: Generation::Spin2, target: Generation::G2, bodies: Bodies::Host, batch: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-spin2-on-g2.wasm")) },
    Adapter { source: Generation::Spin2, target: Generation::G3, bodies: Bodies::Host, batch: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-spin2-on-g3.wasm")) },
    Adapter { source: Generation::Spin2, target: Generation::G4, bodies: Bodies::Host, batch: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-spin2-on-g4.wasm")) },
    Adapter { source: Generation::SpinDraft2, target: Generation::G5, bodies: Bodies::Host, batch: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-spin-draft2-on-g5.wasm")) },
    Adapter { source: Generation::SpinDraft2, target: Generation::G6, bodies: Bodies::Host, batch: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-spin-draft2-on-g6.wasm")) },
    Adapter { source: Generation::SpinDraft2, target: Generation::G2, bodies: Bodies::Host, batch: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-spin-draft2-on-g2.wasm")) },
    Adapter { source: Generation::SpinDraft2, target: Generation::G3, bodies: Bodies::Host, batch: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-spin-draft2-on-g3.wasm")) },
    Adapter { source: Generation::SpinDraft2, target: Generation::G4, bodies: Bodies::Host, batch: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-spin-draft2-on-g4.wasm")) },
    Adapter { source: Generation::G5, target: Generation::G6, bodies: Bodies::Host, batch: false, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-g5-on-g6-no-batch.wasm")) },
    Adapter { source: Generation::G6, target: Generation::G5, bodies: Bodies::Host, batch: false, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/adapter-g6-on-g5-no-batch.wasm")) },
];
pub const FUSED: &[Fused] = &[
    Fused { source: Generation::G1, target: Generation::G5, io: false, forward: false, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/fused-g1-on-g5.wasm")) },
    Fused { source: Generation::G1, target: Generation::G6, io: false, forward: false, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/fused-g1-on-g6.wasm")) },
    Fused { source: Generation::G2, target: Generation::G5, io: false, forward: false, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/fused-g2-on-g5.wasm")) },
    Fused { source: Generation::G2, target: Generation::G6, io: false, forward: false, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/fused-g2-on-g6.wasm")) },
    Fused { source: Generation::G3, target: Generation::G5, io: false, forward: false, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/fused-g3-on-g5.wasm")) },
    Fused { source: Generation::G3, target: Generation::G6, io: false, forward: false, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/fused-g3-on-g6.wasm")) },
    Fused { source: Generation::G4, target: Generation::G5, io: false, forward: false, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/fused-g4-on-g5.wasm")) },
    Fused { source: Generation::G4, target: Generation::G6, io: false, forward: false, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/fused-g4-on-g6.wasm")) },
    Fused { source: Generation::G2, target: Generation::G5, io: true, forward: false, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/fused-g2-on-g5-io.wasm")) },
    Fused { source: Generation::G2, target: Generation::G6, io: true, forward: false, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/fused-g2-on-g6-io.wasm")) },
    Fused { source: Generation::G3, target: Generation::G5, io: true, forward: false, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/fused-g3-on-g5-io.wasm")) },
    Fused { source: Generation::G3, target: Generation::G6, io: true, forward: false, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/fused-g3-on-g6-io.wasm")) },
    Fused { source: Generation::G4, target: Generation::G5, io: true, forward: false, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/fused-g4-on-g5-io.wasm")) },
    Fused { source: Generation::G4, target: Generation::G6, io: true, forward: false, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/fused-g4-on-g6-io.wasm")) },
    Fused { source: Generation::G2, target: Generation::G5, io: true, forward: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/fused-g2-on-g5-io-wasi.wasm")) },
    Fused { source: Generation::G2, target: Generation::G6, io: true, forward: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/fused-g2-on-g6-io-wasi.wasm")) },
    Fused { source: Generation::G3, target: Generation::G5, io: true, forward: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/fused-g3-on-g5-io-wasi.wasm")) },
    Fused { source: Generation::G3, target: Generation::G6, io: true, forward: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/fused-g3-on-g6-io-wasi.wasm")) },
    Fused { source: Generation::G4, target: Generation::G5, io: true, forward: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/fused-g4-on-g5-io-wasi.wasm")) },
    Fused { source: Generation::G4, target: Generation::G6, io: true, forward: true, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/fused-g4-on-g6-io-wasi.wasm")) },
];
pub const BRIDGES: &[Bridge] = &[
    Bridge { source: Generation::G1, target: Generation::G5, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/watch-g1-on-g5.wasm")) },
    Bridge { source: Generation::G1, target: Generation::G6, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/watch-g1-on-g6.wasm")) },
    Bridge { source: Generation::G2, target: Generation::G5, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/watch-g2-on-g5.wasm")) },
    Bridge { source: Generation::G2, target: Generation::G6, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/watch-g2-on-g6.wasm")) },
    Bridge { source: Generation::G3, target: Generation::G5, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/watch-g3-on-g5.wasm")) },
    Bridge { source: Generation::G3, target: Generation::G6, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/watch-g3-on-g6.wasm")) },
    Bridge { source: Generation::G4, target: Generation::G5, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/watch-g4-on-g5.wasm")) },
    Bridge { source: Generation::G4, target: Generation::G6, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/watch-g4-on-g6.wasm")) },
    Bridge { source: Generation::G5, target: Generation::G2, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/watch-g5-on-g2.wasm")) },
    Bridge { source: Generation::G5, target: Generation::G3, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/watch-g5-on-g3.wasm")) },
    Bridge { source: Generation::G5, target: Generation::G4, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/watch-g5-on-g4.wasm")) },
    Bridge { source: Generation::G5, target: Generation::G6, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/watch-g5-on-g6.wasm")) },
    Bridge { source: Generation::G6, target: Generation::G2, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/watch-g6-on-g2.wasm")) },
    Bridge { source: Generation::G6, target: Generation::G3, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/watch-g6-on-g3.wasm")) },
    Bridge { source: Generation::G6, target: Generation::G4, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/watch-g6-on-g4.wasm")) },
    Bridge { source: Generation::G6, target: Generation::G5, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/watch-g6-on-g5.wasm")) },
];
pub const STORES: &[Store] = &[
    Store { target: Generation::G5, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/store-g5.wasm")) },
    Store { target: Generation::G6, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/store-g6.wasm")) },
];
pub const RC_SHIM_HTTP_REQUEST_OPTIONS: &[u8] = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/rc-shim-http-request-options.wasm"));
pub const RC_SHIM_HTTP_FUTURE_TRAILERS: &[u8] = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/rc-shim-http-future-trailers.wasm"));
pub const RC_SHIM_SOCKETS_TCP: &[u8] = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/rc-shim-sockets-tcp.wasm"));
pub const RC_SHIM_SOCKETS_UDP: &[u8] = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/rc-shim-sockets-udp.wasm"));
pub const BATCH_G6_ON_SPIN_DRAFT2: &[u8] = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/batch-g6-on-spin-draft2.wasm"));
pub const CONFORMANCE_G5: &[u8] = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/conformance-g5.wasm"));
pub const CONFORMANCE_G6: &[u8] = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/conformance-g6.wasm"));
pub const CONFIG_DECIMAL: &[u8] = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/config-decimal.wasm"));
pub const CONFIG_DECIMAL_REPORTING: &[u8] = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/config-decimal-reporting.wasm"));
pub const CONFIG_DECIMAL_STRICT: &[u8] = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/config-decimal-strict.wasm"));
pub const CONFIG_DECIMAL_STRICT_REPORTING: &[u8] = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/config-decimal-strict-reporting.wasm"));
pub const CONFIG_LE64: &[u8] = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/config-le64.wasm"));
pub const CONFIG_LE64_REPORTING: &[u8] = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/config-le64-reporting.wasm"));
pub const CONFIG_LE64_STRICT: &[u8] = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/config-le64-strict.wasm"));
pub const CONFIG_LE64_STRICT_REPORTING: &[u8] = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/config-le64-strict-reporting.wasm"));
pub const CONFIG_BE64: &[u8] = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/config-be64.wasm"));
pub const CONFIG_BE64_REPORTING: &[u8] = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/config-be64-reporting.wasm"));
pub const CONFIG_BE64_STRICT: &[u8] = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/config-be64-strict.wasm"));
pub const CONFIG_BE64_STRICT_REPORTING: &[u8] = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/shipped/config-be64-strict-reporting.wasm"));
