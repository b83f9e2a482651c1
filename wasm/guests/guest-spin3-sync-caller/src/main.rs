//! A WASI 0.2 command, whose `wasi:cli/run@0.2` is a synchronous function, calling Spin 4's
//! `spin:key-value@3.0.0` with synchronous bindings (`async: ["-all"]`): the shape an
//! adapter from a WASI 0.2 generation onto an async-only host would have. The component
//! model lets only an `async` function's task wait, so the first call traps in wasmtime 48
//! ("cannot block a synchronous task before returning"), however soon the host would
//! answer. tests/wasi_0_3/hosts.rs pins that.

wit_bindgen::generate!({
    path: "../../../wit/kv-adapt",
    world: "kv-adapt:components/spin3-host",
    async: ["-all"],
    generate_all,
});

use spin::key_value::key_value::Store;

fn main() {
    println!("opening default");
    match Store::open("default") {
        Ok(store) => match store.set("k", b"v") {
            Ok(()) => println!("set k"),
            Err(_) => println!("set failed"),
        },
        Err(_) => println!("open failed"),
    }
}
