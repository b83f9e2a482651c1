//! `kv-adapt serve`: a guest's `wasi:http/incoming-handler` served over HTTP/1.1 by
//! wasmtime-wasi-http on the embedded wasmtime, one fresh instance per request (as
//! `wasmtime serve` does), with the same key-value stores as `run`.

use crate::host::run::{GuestExtras, HostState, KvHost, Limits, Ready, StoreSpec};
use crate::plan::PlugOptions;
use anyhow::{anyhow, bail, Context};
use std::net::SocketAddr;
use std::sync::Arc;
use wasmtime::component::{Component, Linker};
use wasmtime_wasi_http::io::TokioIo;
use wasmtime_wasi_http::p2::bindings::http::types::Scheme;
use wasmtime_wasi_http::p2::bindings::ProxyPre;
use wasmtime_wasi_http::p2::body::HyperOutgoingBody;
use wasmtime_wasi_http::WasiHttpView;

pub struct ServeOptions {
    pub plug: PlugOptions,
    pub store: StoreSpec,
    pub addr: SocketAddr,
    /// Arguments the guest sees, program name first.
    pub args: Vec<String>,
    pub extras: GuestExtras,
    pub limits: Limits,
    /// Stop after this many requests (for tests and scripts); `None` serves until killed.
    pub requests: Option<u64>,
}

/// Where `serve` listens and what it serves, once it is listening.
pub struct Listening<'a> {
    pub addr: SocketAddr,
    pub ready: &'a Ready,
}

/// Makes `bytes` servable (plugged, WASI names moved to 0.2.0, the store composed in where
/// it serves), listens on `options.addr`, calls `listening` once, and serves requests.
pub fn serve(name: &str, bytes: &[u8], options: &ServeOptions, listening: impl FnOnce(&Listening<'_>)) -> anyhow::Result<()> {
    crate::host::run::check_counter_encoding(&options.store, options.plug.counter)?;
    let ready = crate::host::run::ready(name, bytes, &options.plug, &options.store)?;
    let (backend, _) = options.store.open_recovered()?;
    let kv = crate::host::run::kv_host(&ready, &backend)?;
    let engine = crate::host::run::engine()?;
    let component = Component::new(&engine, &ready.component).map_err(anyhow::Error::from).context("compiling the composed component")?;
    if crate::host::run::find_incoming_handler(&engine, &component).is_none() {
        if crate::host::run::find_export(&engine, &component, "wasi:cli/run").is_some() {
            bail!("{name} is a command (it exports wasi:cli/run), not an HTTP handler; run it with `kv-adapt run`");
        }
        bail!("{name} exports no wasi:http/incoming-handler (0.2.x or a 2023-24 release candidate); there is nothing to serve");
    }
    let mut linker = Linker::new(&engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
    wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker)?;
    crate::host::run::add_kv_to_linker(&mut linker, &kv)?;
    let pre = linker.instantiate_pre(&component).map_err(anyhow::Error::from).context("linking the component")?;
    let pre = ProxyPre::new(pre).map_err(anyhow::Error::from).context("finding wasi:http/incoming-handler")?;
    let server = Arc::new(Server { pre, kv, args: options.args.clone(), extras: options.extras.clone(), limits: options.limits });
    // Every request makes such a store: a preopen that cannot be opened is said now, once,
    // rather than to each request.
    server.store()?;

    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(options.addr).await.with_context(|| format!("cannot listen on {}", options.addr))?;
        listening(&Listening { addr: listener.local_addr()?, ready: &ready });
        let mut served = 0u64;
        // Kept only when counting, to wait for the last answers; a server serving until
        // killed lets each connection's task go when it ends.
        let mut counted = Vec::new();
        while options.requests.is_none_or(|limit| served < limit) {
            let (client, _) = listener.accept().await?;
            let server = server.clone();
            // One request per connection when counting, so that the count is of requests.
            let keep_alive = options.requests.is_none();
            let connection = tokio::task::spawn(async move {
                let service = hyper::service::service_fn(move |request| {
                    let server = server.clone();
                    async move { server.handle(request).await }
                });
                if let Err(error) = hyper::server::conn::http1::Builder::new()
                    .keep_alive(keep_alive)
                    .serve_connection(TokioIo::new(client), service)
                    .await
                {
                    eprintln!("kv-adapt: serving a connection failed: {error}");
                }
            });
            if options.requests.is_some() {
                counted.push(connection);
            }
            served += 1;
        }
        for connection in counted {
            let _ = connection.await;
        }
        anyhow::Ok(())
    })
}

struct Server {
    pre: ProxyPre<HostState>,
    kv: KvHost,
    args: Vec<String>,
    extras: GuestExtras,
    limits: Limits,
}

impl Server {
    fn store(&self) -> anyhow::Result<wasmtime::Store<HostState>> {
        let guest = crate::host::run::Guest { args: &self.args, extras: &self.extras };
        crate::host::run::new_store(self.pre.engine(), &self.kv, &guest, None, &self.limits)
    }

    async fn handle(&self, request: hyper::Request<hyper::body::Incoming>) -> anyhow::Result<hyper::Response<HyperOutgoingBody>> {
        let mut store = self.store()?;
        let (sender, receiver) = tokio::sync::oneshot::channel();
        let request = store.data_mut().http().new_incoming_request(Scheme::Http, request)?;
        let out = store.data_mut().http().new_response_outparam(sender)?;
        let pre = self.pre.clone();
        // The handler may go on writing the body after it set the response: it runs apart.
        let task = tokio::task::spawn(async move {
            let proxy = pre.instantiate_async(&mut store).await?;
            proxy.wasi_http_incoming_handler().call_handle(&mut store, request, out).await
        });
        match receiver.await {
            Ok(Ok(response)) => Ok(response),
            Ok(Err(error)) => Err(anyhow::Error::from(error)),
            Err(_) => {
                let why = match task.await {
                    Ok(Ok(())) => anyhow!("the guest returned without setting a response"),
                    Ok(Err(error)) => anyhow::Error::from(error).context("the guest trapped before setting a response"),
                    Err(error) => anyhow::Error::from(error).context("the guest's task failed"),
                };
                eprintln!("kv-adapt: {}", crate::error::one_line(&format!("{why:#}")));
                Err(why)
            }
        }
    }
}
