//! `kv-adapt serve`: a guest's HTTP handler served over HTTP/1.1 by wasmtime-wasi-http on
//! the embedded wasmtime, one fresh instance per request (as `wasmtime serve` does), with the
//! same key-value stores as `run`. A WASI 0.2 `wasi:http/incoming-handler` is served with
//! wasmtime-wasi-http's `p2`; a WASI 0.3 `wasi:http/handler` (Spin 4's and wasmCloud 2's
//! HTTP components) with its `p3`, each request in its instance's own event loop, WASI 0.3
//! and 0.2 side by side as `run` gives a WASI 0.3 command.

use crate::host::run::{GuestExtras, HostState, KvHost, Limits, Ready, StoreSpec};
use crate::plan::PlugOptions;
use anyhow::{anyhow, bail, Context};
use hyper::body::{Bytes, Frame, SizeHint};
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::Poll;
use tokio::sync::oneshot;
use wasmtime::component::{Accessor, Component, Linker};
use wasmtime::Engine;
use wasmtime_wasi_http::io::TokioIo;
use wasmtime_wasi_http::p2::bindings::http::types::Scheme;
use wasmtime_wasi_http::p2::bindings::ProxyPre;
use wasmtime_wasi_http::p2::body::HyperOutgoingBody;
use wasmtime_wasi_http::p3::bindings::{Service, ServicePre};
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
    let p3 = match (
        crate::host::run::find_incoming_handler(&engine, &component),
        crate::host::run::find_p3_handler(&engine, &component),
    ) {
        // A component exporting both is served as before WASI 0.3 was: by its 0.2 handler.
        (Some(_), _) => false,
        (None, Some(_)) => true,
        (None, None) => {
            if crate::host::run::find_export(&engine, &component, "wasi:cli/run").is_some()
                || crate::host::run::find_p3_cli_run(&engine, &component).is_some()
            {
                bail!("{name} is a command (it exports wasi:cli/run), not an HTTP handler; run it with `kv-adapt run`");
            }
            bail!(
                "{name} exports neither wasi:http/incoming-handler (0.2.x or a 2023-24 release candidate) nor \
                 wasi:http/handler@0.3.x; there is nothing to serve"
            );
        }
    };
    let mut linker = Linker::new(&engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
    wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker)?;
    if p3 {
        // Rust's std on `wasm32-wasip2` (spin-sdk 7's target) still imports WASI 0.2's stdio
        // beside WASI 0.3's, as in `run`'s async store.
        wasmtime_wasi::p3::add_to_linker(&mut linker)?;
        wasmtime_wasi_http::p3::add_to_linker(&mut linker)?;
    }
    crate::host::run::add_kv_to_linker(&mut linker, &kv)?;
    let pre = linker.instantiate_pre(&component).map_err(anyhow::Error::from).context("linking the component")?;
    let handler = if p3 {
        Handler::P3(ServicePre::new(pre).map_err(anyhow::Error::from).context("finding wasi:http/handler@0.3")?)
    } else {
        Handler::P2(ProxyPre::new(pre).map_err(anyhow::Error::from).context("finding wasi:http/incoming-handler")?)
    };
    let server = Arc::new(Server {
        engine,
        handler,
        kv,
        args: options.args.clone(),
        extras: options.extras.clone(),
        limits: options.limits,
        instances: options.requests.map(|_| Mutex::new(Vec::new())),
    });
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
        // A WASI 0.3 instance may still be at work after its answer was sent (a task of the
        // guest's writing to the store): the last requests' writes must land before exiting.
        for instance in server.take_instances() {
            let _ = instance.await;
        }
        anyhow::Ok(())
    })
}

/// The handler a component exports, ready to instantiate.
enum Handler {
    /// `wasi:http/incoming-handler@0.2.x`.
    P2(ProxyPre<HostState>),
    /// `wasi:http/handler@0.3.x`.
    P3(ServicePre<HostState>),
}

struct Server {
    engine: Engine,
    handler: Handler,
    kv: KvHost,
    args: Vec<String>,
    extras: GuestExtras,
    limits: Limits,
    /// The WASI 0.3 instances that answered, when counting requests (see `serve`).
    instances: Option<Mutex<Vec<tokio::task::JoinHandle<()>>>>,
}

/// What a WASI 0.3 instance's task hands the request's connection: the response, or why
/// there is none.
type Answered = anyhow::Result<hyper::Response<Answer>>;

impl Server {
    fn store(&self) -> anyhow::Result<wasmtime::Store<HostState>> {
        let guest = crate::host::run::Guest { args: &self.args, extras: &self.extras };
        crate::host::run::new_store(&self.engine, &self.kv, &guest, None, &self.limits)
    }

    async fn handle(&self, request: hyper::Request<hyper::body::Incoming>) -> anyhow::Result<hyper::Response<Answer>> {
        match &self.handler {
            Handler::P2(pre) => Ok(self.handle_p2(pre, request).await?.map(Answer::P2)),
            Handler::P3(pre) => self.handle_p3(pre, request).await,
        }
    }

    async fn handle_p2(&self, pre: &ProxyPre<HostState>, request: hyper::Request<hyper::body::Incoming>) -> anyhow::Result<hyper::Response<HyperOutgoingBody>> {
        let mut store = self.store()?;
        let (sender, receiver) = oneshot::channel();
        let request = store.data_mut().http().new_incoming_request(Scheme::Http, request)?;
        let out = store.data_mut().http().new_response_outparam(sender)?;
        let pre = pre.clone();
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

    /// One request to a fresh instance of a WASI 0.3 handler. The instance runs in a task of
    /// its own, whose event loop also carries the response body the guest streams after
    /// answering; it sends the answer here.
    async fn handle_p3(&self, pre: &ServicePre<HostState>, request: hyper::Request<hyper::body::Incoming>) -> Answered {
        let mut store = self.store()?;
        let request = p3_request(store.data_mut(), request)?;
        let (sender, receiver) = oneshot::channel::<Answered>();
        let pre = pre.clone();
        let task = tokio::task::spawn(async move {
            let mut answer = Some(sender);
            if let Err(why) = run_p3(&pre, &mut store, request, &mut answer).await {
                match answer.take() {
                    Some(sender) => {
                        let _ = sender.send(Err(guest_failed(why, "before answering")));
                    }
                    // The connection got its answer already: said here, as nobody else waits.
                    None => eprintln!("kv-adapt: {}", crate::error::one_line(&format!("{:#}", guest_failed(why, "after answering")))),
                }
            }
        });
        let answered = match receiver.await {
            Ok(Ok(response)) => {
                if let Some(instances) = &self.instances {
                    instances.lock().unwrap_or_else(PoisonError::into_inner).push(task);
                }
                Ok(response)
            }
            Ok(Err(why)) => Err(why),
            Err(_) => Err(match task.await {
                Ok(()) => anyhow!("the guest's task ended without answering"),
                Err(error) => anyhow::Error::from(error).context("the guest's task failed"),
            }),
        };
        match answered {
            Ok(response) => Ok(response),
            Err(why) => {
                eprintln!("kv-adapt: {}", crate::error::one_line(&format!("{why:#}")));
                Err(why)
            }
        }
    }

    /// The instance tasks kept when counting, to wait for.
    fn take_instances(&self) -> Vec<tokio::task::JoinHandle<()>> {
        match &self.instances {
            Some(instances) => std::mem::take(&mut *instances.lock().unwrap_or_else(PoisonError::into_inner)),
            None => Vec::new(),
        }
    }
}

/// Where wasmtime-wasi-http reports a failure of a WASI 0.3 request's body.
type BodyFailed = Pin<Box<dyn Future<Output = Result<(), wasmtime_wasi_http::Error>> + Send>>;

/// A request for a WASI 0.3 handler, with where it came to (`http` and the `Host` header), as
/// the WASI 0.2 path gives its guest; and the future through which wasmtime-wasi-http hands
/// back a failure of the request's body.
fn p3_request(
    state: &mut HostState,
    request: hyper::Request<hyper::body::Incoming>,
) -> anyhow::Result<(wasmtime_wasi_http::p3::Request, BodyFailed)> {
    let authority = match request.uri().authority() {
        Some(authority) => authority.clone(),
        None => {
            let host = request.headers().get(hyper::header::HOST).ok_or_else(|| anyhow!("the request names no host (no Host header)"))?;
            hyper::http::uri::Authority::try_from(host.as_bytes()).map_err(|e| anyhow!("the request's Host header is no authority: {e}"))?
        }
    };
    let (mut wasi, body_failed) = wasmtime_wasi_http::p3::Request::from_http(state.http().hooks, request);
    wasi.scheme = Some(hyper::http::uri::Scheme::HTTP);
    wasi.authority = Some(authority);
    Ok((wasi, Box::pin(body_failed)))
}

/// Instantiates the handler in `store` and has it answer `request` through `answer`; then
/// keeps the instance's event loop turning while hyper sends the body and until the guest's
/// tasks are done.
async fn run_p3(
    pre: &ServicePre<HostState>,
    store: &mut wasmtime::Store<HostState>,
    (request, body_failed): (wasmtime_wasi_http::p3::Request, BodyFailed),
    answer: &mut Option<oneshot::Sender<Answered>>,
) -> wasmtime::Result<()> {
    let service = pre.instantiate_async(&mut *store).await?;
    store.run_concurrent(async |accessor| respond(accessor, &service, request, body_failed, answer).await).await?
}

/// Has `service` answer `request`, hands the answer to `answer`, and returns once the
/// instance has nothing left to do for it.
async fn respond(
    accessor: &Accessor<HostState>,
    service: &Service,
    request: wasmtime_wasi_http::p3::Request,
    body_failed: BodyFailed,
    answer: &mut Option<oneshot::Sender<Answered>>,
) -> wasmtime::Result<()> {
    match service.handle(accessor, request).await? {
        Ok(response) => {
            let (sent, body_gone) = oneshot::channel::<()>();
            let response = accessor.with(|mut access| response.into_http(&mut access, body_failed))?;
            let response = response.map(|body| Answer::P3 { body: Box::pin(body), _sent: sent });
            // A connection gone meanwhile drops the answer, its body and `sent` with it.
            if let Some(sender) = answer.take() {
                let _ = sender.send(Ok(response));
            }
            // The guest streams the body through this event loop; hyper drops it once sent
            // or once the connection is gone.
            let _ = body_gone.await;
        }
        Err(code) => {
            if let Some(sender) = answer.take() {
                let _ = sender.send(Err(anyhow!("the guest answered with the error code {code:?}")));
            }
        }
    }
    // Work the guest does after answering (the component model lets a task go on after it
    // returned) runs here too; the instance is dropped only when it is done.
    std::future::poll_fn(|cx| accessor.poll_no_interesting_tasks(cx)).await;
    Ok(())
}

/// `why` a guest gave no answer or stopped after one, in words saying which.
fn guest_failed(why: wasmtime::Error, when: &str) -> anyhow::Error {
    let what = match why.downcast_ref::<wasmtime::Trap>() {
        Some(_) => "trapped",
        None => "failed",
    };
    anyhow::Error::from(why).context(format!("the guest {what} {when}"))
}

/// A response body of either handler. A WASI 0.3 body tells its instance, by dropping
/// `_sent`, that hyper is done with it, so the instance's event loop may stop.
enum Answer {
    P2(HyperOutgoingBody),
    P3 {
        body: Pin<Box<dyn hyper::body::Body<Data = Bytes, Error = wasmtime_wasi_http::Error> + Send>>,
        _sent: oneshot::Sender<()>,
    },
}

impl hyper::body::Body for Answer {
    type Data = Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        match self.get_mut() {
            Answer::P2(body) => Pin::new(body).poll_frame(cx).map_err(Into::into),
            Answer::P3 { body, .. } => body.as_mut().poll_frame(cx).map_err(Into::into),
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            Answer::P2(body) => body.is_end_stream(),
            Answer::P3 { body, .. } => body.is_end_stream(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            Answer::P2(body) => body.size_hint(),
            Answer::P3 { body, .. } => body.size_hint(),
        }
    }
}
