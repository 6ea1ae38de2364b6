//! `#[service(start_fn, ..)]` and the [`Services`] fixture: a user's async service started on
//! the test's runtime before the body, stopped in teardown, and failing the test if it
//! panicked or returned an error in the background (Nova's `ServiceFixture`).

use std::any::{type_name, Any};
use std::fmt::Display;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;

use crate::core::fixture::BoxError;
use crate::leaf::report::Joined;
use crate::leaf::unwind::panic_message;

/// How long a service has to call [`ServiceContext::ready`].
pub const READY_WITHIN: Duration = Duration::from_secs(10);
/// How long a service has to return once asked to stop; then it is aborted.
pub const STOP_WITHIN: Duration = Duration::from_secs(5);

/// What a service's start function gets: where to publish its handle once it serves, and the
/// signal to stop.
///
/// ```
/// use testrig::service::{ServiceContext, Services};
/// use std::net::SocketAddr;
///
/// async fn echo(service: ServiceContext) -> std::io::Result<()> {
///     let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
///     service.ready(listener.local_addr()?);
///     loop {
///         tokio::select! {
///             accepted = listener.accept() => {
///                 let (mut socket, _) = accepted?;
///                 testrig::spawn(async move {
///                     let (mut reader, mut writer) = socket.split();
///                     let _ = tokio::io::copy(&mut reader, &mut writer).await;
///                 });
///             }
///             () = service.stopped() => return Ok(()),
///         }
///     }
/// }
///
/// #[testrig::test]
/// #[service(echo)]
/// async fn echoes(services: &Services) {
///     use tokio::io::{AsyncReadExt, AsyncWriteExt};
///     let address: &SocketAddr = services.get("echo");
///     let mut client = tokio::net::TcpStream::connect(address).await.unwrap();
///     client.write_all(b"ping").await.unwrap();
///     let mut answer = [0; 4];
///     client.read_exact(&mut answer).await.unwrap();
///     assert_eq!(&answer, b"ping");
/// }
/// # echoes();
/// ```
pub struct ServiceContext {
    ready: Mutex<Option<oneshot::Sender<Published>>>,
    stop: watch::Receiver<bool>,
}

type Published = Arc<dyn Any + Send + Sync>;

impl ServiceContext {
    /// Publishes the service's handle (its address, a client, ..): the test gets it from
    /// [`Services::get`]. The body starts once every service of the test called this.
    pub fn ready<T: Any + Send + Sync>(&self, handle: T) {
        if let Some(ready) = self.ready.lock().unwrap_or_else(PoisonError::into_inner).take() {
            let _ = ready.send(Arc::new(handle));
        }
    }

    /// Completes when teardown asks the service to stop: return from the start function then.
    pub async fn stopped(&self) {
        let mut stop = self.stop.clone();
        let _ = stop.wait_for(|stop| *stop).await;
    }
}

/// The future of a running service, its error already text.
#[doc(hidden)]
pub type ServiceFuture = Pin<Box<dyn Future<Output = Result<(), String>> + Send>>;

/// One service of a test: its name (the start function's) and how to start it.
#[doc(hidden)]
#[derive(Clone, Copy)]
pub struct ServiceSpec {
    pub name: &'static str,
    pub start: fn(ServiceContext) -> ServiceFuture,
}

/// A function `#[service(..)]` can start: `async fn name(context: ServiceContext) ->
/// Result<(), E>`; the bound is what reports any other shape, at the name in the attribute.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot start a `#[service]`: a start function takes the `ServiceContext` and nothing else",
    label = "not `async fn(ServiceContext) -> Result<(), E>`",
    note = "write `async fn name(context: testrig::service::ServiceContext) -> Result<(), E>` (`E: Display`): \
            call `context.ready(handle)` once serving, and return when `context.stopped().await` completes"
)]
pub trait StartService<Output> {
    fn start(self, context: ServiceContext) -> Output;
}

impl<F: FnOnce(ServiceContext) -> Output, Output> StartService<Output> for F {
    fn start(self, context: ServiceContext) -> Output {
        self(context)
    }
}

/// Starts `start` with `context`, checked to be a start function.
#[doc(hidden)]
pub fn start_service<S: StartService<Output>, Output>(start: S, context: ServiceContext) -> Output {
    start.start(context)
}

#[doc(hidden)]
pub fn box_service<F, E>(service: F) -> ServiceFuture
where
    F: Future<Output = Result<(), E>> + Send + 'static,
    E: Display,
{
    Box::pin(async move { service.await.map_err(|error| error.to_string()) })
}

/// What `#[service(a, b)]` asks of [`Services`].
#[derive(Default)]
pub struct ServicesOptions {
    specs: Vec<ServiceSpec>,
}

impl ServicesOptions {
    /// The services of `#[service(a, b)]`, in order.
    pub fn new(specs: Vec<ServiceSpec>) -> Self {
        ServicesOptions { specs }
    }
}

/// The services of a test, running: `#[service(start_api, ..)]` starts them in order, each
/// ready before the next starts, and stops them in reverse order after the body.
pub struct Services {
    running: Vec<RunningService>,
}

struct RunningService {
    name: &'static str,
    handle: Published,
    stop: watch::Sender<bool>,
    task: JoinHandle<Result<(), String>>,
}

impl std::fmt::Debug for Services {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Services").field("names", &self.names()).finish()
    }
}

#[testrig_macros::fixture(crate = crate, built_in = "testrig::service")]
impl Services {
    /// The handle service `name` published with [`ServiceContext::ready`].
    ///
    /// # Panics
    /// For an unknown name (listing the known ones) or a handle of another type.
    #[track_caller]
    pub fn get<T: Any>(&self, name: &str) -> &T {
        let Some(running) = self.running.iter().find(|running| running.name == name) else {
            panic!("no service `{name}` in this test; its services are: {}", Joined(&self.names(), ", "));
        };
        match running.handle.downcast_ref::<T>() {
            Some(handle) => handle,
            None => panic!("service `{name}` did not publish a `{}` with `ready`", type_name::<T>()),
        }
    }

    /// The names of the test's services, in the order they started.
    pub fn names(&self) -> Vec<&'static str> {
        self.running.iter().map(|running| running.name).collect()
    }

    async fn setup(#[options] config: &ServicesOptions) -> Result<Services, BoxError> {
        let mut services = Services { running: Vec::new() };
        for spec in &config.specs {
            match start(spec).await {
                Ok(running) => services.running.push(running),
                Err(error) => {
                    // Not on the stack, so no teardown: stop what did start.
                    let _ = services.teardown().await;
                    return Err(error);
                }
            }
        }
        Ok(services)
    }

    async fn teardown(self) -> Result<(), BoxError> {
        let mut errors = Vec::new();
        for RunningService { name, stop, mut task, .. } in self.running.into_iter().rev() {
            let _ = stop.send(true);
            let problem = match tokio::time::timeout(STOP_WITHIN, &mut task).await {
                Ok(Ok(Ok(()))) => continue,
                Ok(Ok(Err(error))) => format!("service `{name}` failed: {error}"),
                Ok(Err(joined)) if joined.is_panic() => {
                    format!("service `{name}` panicked: {}", panic_message(&joined.into_panic()))
                }
                Ok(Err(_)) => format!("service `{name}` was cancelled"),
                Err(_) => {
                    task.abort();
                    format!("service `{name}` did not stop within {STOP_WITHIN:?} of being asked to; it was aborted")
                }
            };
            errors.push(problem);
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(Joined(&errors, "; ").to_string().into())
        }
    }
}

/// Starts one service and waits until it is ready, or fails saying why it is not.
async fn start(spec: &ServiceSpec) -> Result<RunningService, BoxError> {
    let (ready, published) = oneshot::channel();
    let (stop, stop_signal) = watch::channel(false);
    let context = ServiceContext { ready: Mutex::new(Some(ready)), stop: stop_signal };
    let task = crate::spawn((spec.start)(context));
    let name = spec.name;
    let failed = |why: String| -> BoxError { format!("service `{name}` {why}").into() };
    // The context goes with the service's future: when that ends (returns, fails, panics)
    // before `ready`, the sender is dropped and `published` completes with an error.
    match tokio::time::timeout(READY_WITHIN, published).await {
        Ok(Ok(handle)) => Ok(RunningService { name, handle, stop, task }),
        Ok(Err(_)) => Err(failed(ended_before_ready(task.await))),
        Err(_) => {
            task.abort();
            Err(failed(format!("did not call `ready` within {READY_WITHIN:?}")))
        }
    }
}

fn ended_before_ready(ended: Result<Result<(), String>, tokio::task::JoinError>) -> String {
    match ended {
        Ok(Ok(())) => "returned before calling `ready`".to_owned(),
        Ok(Err(error)) => format!("failed before it was ready: {error}"),
        Err(joined) if joined.is_panic() => {
            format!("panicked before it was ready: {}", panic_message(&joined.into_panic()))
        }
        Err(_) => "was cancelled before it was ready".to_owned(),
    }
}
