//! A small cloud, after Nova's cells v2: an API database (instances, host→cell mappings,
//! request specs, images) and a database per cell (the instances' cell records); a compute
//! layer that creates servers and resizes them, also from one cell to another, with the
//! intermediate states, an image snapshot, cleanup, and a rollback when the target fails.
//!
//! Its settings come from [`CONF`], its database from `testrig::db`, its logs and
//! notifications are `tracing` events: the seams the `testrig` suite in `tests/` replaces.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use testrig::db::{self, sqlx, AnyPool};
use testrig::Conf;

testrig::db::schema!(pub static SCHEMA, api = "migrations/api", cells = "migrations/cell");

/// The cloud's settings (Nova's `nova.conf` groups).
#[derive(Debug, Clone, Default)]
pub struct CloudConfig {
    pub compute: ComputeConfig,
    pub scheduler: SchedulerConfig,
    pub policy: PolicyConfig,
}

#[derive(Debug, Clone, Default)]
pub struct ComputeConfig {
    /// Seconds an RPC to a compute host may take.
    pub rpc_response_timeout: u64,
    /// Seconds the long RPCs (snapshot, spawn) may take.
    pub long_rpc_timeout: u64,
}

#[derive(Debug, Clone, Default)]
pub struct SchedulerConfig {
    /// The weigher that prefers hosts of another cell when resizing.
    pub prefer_other_cell: bool,
}

#[derive(Debug, Clone, Default)]
pub struct PolicyConfig {
    /// Whether a resize may move an instance to another cell.
    pub allow_cross_cell_resize: bool,
}

pub static CONF: Conf<CloudConfig> = Conf::new();

/// What can go wrong in the cloud.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CloudError {
    NoValidHost(String),
    Hypervisor(String),
    NotFound(String),
    Database(String),
}

impl fmt::Display for CloudError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CloudError::NoValidHost(why) => write!(f, "no valid host: {why}"),
            CloudError::Hypervisor(why) => write!(f, "hypervisor unavailable: {why}"),
            CloudError::NotFound(uuid) => write!(f, "instance {uuid} not found"),
            CloudError::Database(why) => write!(f, "database: {why}"),
        }
    }
}

impl std::error::Error for CloudError {}

impl From<sqlx::Error> for CloudError {
    fn from(error: sqlx::Error) -> Self {
        CloudError::Database(error.to_string())
    }
}

impl From<db::DbError> for CloudError {
    fn from(error: db::DbError) -> Self {
        CloudError::Database(error.to_string())
    }
}

/// The hypervisor calls a compute host makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HypervisorCall {
    Spawn,
    Destroy,
}

/// A hypervisor driver: the fake one answers every call, unless a fault was injected for that
/// call on that host (Nova's tests mock `spawn` / `destroy` to raise HypervisorUnavailable).
#[derive(Debug, Default)]
pub struct Hypervisor {
    faults: Mutex<Vec<(HypervisorCall, String)>>,
}

impl Hypervisor {
    /// Makes `call` on `host` fail from now on.
    pub fn inject(&self, call: HypervisorCall, host: &str) {
        self.faults.lock().unwrap_or_else(PoisonError::into_inner).push((call, host.to_owned()));
    }

    fn call(&self, call: HypervisorCall, host: &str, uuid: &str) -> Result<(), CloudError> {
        let faulty =
            self.faults.lock().unwrap_or_else(PoisonError::into_inner).iter().any(|(c, h)| *c == call && h == host);
        if faulty {
            tracing::error!(host, instance = uuid, ?call, "hypervisor unavailable");
            return Err(CloudError::Hypervisor(format!("{call:?} of {uuid} on {host}")));
        }
        tracing::debug!(host, instance = uuid, ?call, "hypervisor call done");
        Ok(())
    }
}

/// An instance as the API database knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instance {
    pub uuid: String,
    pub host: String,
    pub cell: String,
    pub flavor: String,
    pub state: String,
}

/// Picks the target host of a resize: any host but the current one; hosts of another cell
/// only when `cross_cell` allows them, and first when `prefer_other_cell` says so. Pure logic.
pub fn pick_host(
    candidates: &[(String, String)],
    current_host: &str,
    current_cell: &str,
    cross_cell: bool,
    prefer_other_cell: bool,
) -> Option<(String, String)> {
    let mut allowed: Vec<&(String, String)> =
        candidates.iter().filter(|(host, cell)| host != current_host && (cross_cell || cell == current_cell)).collect();
    // Stable sort: the weigher only reorders by cell, keeping the candidates' order within.
    allowed.sort_by_key(|(_, cell)| (cell == current_cell) == prefer_other_cell);
    allowed.first().map(|&pick| pick.clone())
}

/// The compute API of the cloud.
#[derive(Debug, Clone)]
pub struct Compute {
    hypervisor: Arc<Hypervisor>,
}

impl Compute {
    pub fn new(hypervisor: Arc<Hypervisor>) -> Self {
        Compute { hypervisor }
    }

    /// Boots a server on `host`: its API record, its cell record, the hypervisor's spawn.
    pub async fn create_server(&self, uuid: &str, flavor: &str, host: &str) -> Result<Instance, CloudError> {
        let api = db::api()?;
        let cell = self.cell_of(host).await?;
        self.hypervisor.call(HypervisorCall::Spawn, host, uuid)?;
        sqlx::query("INSERT INTO instances (uuid, host, cell, flavor, state) VALUES ($1, $2, $3, $4, 'ACTIVE')")
            .bind(uuid)
            .bind(host)
            .bind(&cell)
            .bind(flavor)
            .execute(&api)
            .await?;
        sqlx::query("INSERT INTO request_specs (instance_uuid, flavor) VALUES ($1, $2)")
            .bind(uuid)
            .bind(flavor)
            .execute(&api)
            .await?;
        db::target_cell(&cell, insert_cell_record(uuid, host, flavor, "ACTIVE")).await?;
        tracing::info!(event_type = "instance.create.end", instance = uuid, host, cell = %cell);
        log::debug!(target: "minicloud::audit", instance = uuid, host; "server {uuid} created on {host}");
        self.instance(uuid).await
    }

    /// The API database's record of `uuid`.
    pub async fn instance(&self, uuid: &str) -> Result<Instance, CloudError> {
        let row: Option<(String, String, String, String)> =
            sqlx::query_as("SELECT host, cell, flavor, state FROM instances WHERE uuid = $1")
                .bind(uuid)
                .fetch_optional(&db::api()?)
                .await?;
        let (host, cell, flavor, state) = row.ok_or_else(|| CloudError::NotFound(uuid.to_owned()))?;
        Ok(Instance { uuid: uuid.to_owned(), host, cell, flavor, state })
    }

    /// Resizes `uuid` to `flavor`, moving it to the host the scheduler picks — in another cell
    /// when policy allows it. A failure on the target rolls back to the source.
    pub async fn resize(&self, uuid: &str, flavor: &str) -> Result<Instance, CloudError> {
        let settings = CONF.get();
        let source = self.instance(uuid).await?;
        let candidates: Vec<(String, String)> =
            sqlx::query_as("SELECT host, cell FROM host_mappings ORDER BY host").fetch_all(&db::api()?).await?;
        let cross_cell = settings.policy.allow_cross_cell_resize;
        let Some((host, cell)) =
            pick_host(&candidates, &source.host, &source.cell, cross_cell, settings.scheduler.prefer_other_cell)
        else {
            let why = format!("no other host for {uuid} (cross-cell resize allowed: {cross_cell})");
            tracing::warn!(instance = uuid, "{why}");
            return Err(CloudError::NoValidHost(why));
        };
        let moves_cell = cell != source.cell;
        tracing::info!(
            event_type = "instance.resize.start",
            instance = uuid,
            from = %source.host,
            to = %host,
            cross_cell = moves_cell,
            rpc_response_timeout = settings.compute.rpc_response_timeout,
            long_rpc_timeout = settings.compute.long_rpc_timeout,
        );
        self.set_state(uuid, "RESIZE_PREP").await?;
        // Cross-cell: the instance travels as an image snapshot, deleted once it has arrived.
        let image = format!("snapshot-{uuid}");
        if moves_cell {
            sqlx::query("INSERT INTO images (id, instance_uuid) VALUES ($1, $2)")
                .bind(&image)
                .bind(uuid)
                .execute(&db::api()?)
                .await?;
        }
        if let Err(error) = self.hypervisor.call(HypervisorCall::Spawn, &host, uuid) {
            self.roll_back(uuid, &image, moves_cell).await?;
            return Err(error);
        }
        if moves_cell {
            db::target_cell(&cell, insert_cell_record(uuid, &host, flavor, "ACTIVE")).await?;
        }
        // The target runs it now: the snapshot has served, whatever happens to the source.
        self.delete_image(&image, moves_cell).await?;
        let source_cleanup = match self.hypervisor.call(HypervisorCall::Destroy, &source.host, uuid) {
            Ok(()) if moves_cell => db::target_cell(&source.cell, delete_cell_record(uuid)).await,
            outcome => outcome,
        };
        if let Err(error) = source_cleanup {
            // The instance runs on the target, but the source still holds it: an operator
            // must look. Nova sets the instance to ERROR here.
            self.set_state(uuid, "ERROR").await?;
            tracing::error!(event_type = "instance.resize.error", instance = uuid, error = %error);
            return Err(error);
        }
        if !moves_cell {
            db::target_cell(&cell, update_cell_record(uuid, &host, flavor)).await?;
        }
        sqlx::query("UPDATE instances SET host = $1, cell = $2, flavor = $3, state = 'ACTIVE' WHERE uuid = $4")
            .bind(&host)
            .bind(&cell)
            .bind(flavor)
            .bind(uuid)
            .execute(&db::api()?)
            .await?;
        tracing::info!(event_type = "instance.resize.end", instance = uuid, host = %host, cell = %cell);
        self.instance(uuid).await
    }

    async fn roll_back(&self, uuid: &str, image: &str, moves_cell: bool) -> Result<(), CloudError> {
        self.set_state(uuid, "ACTIVE").await?;
        self.delete_image(image, moves_cell).await?;
        tracing::warn!(event_type = "instance.resize.error", instance = uuid, "resize rolled back to the source");
        Ok(())
    }

    async fn delete_image(&self, image: &str, exists: bool) -> Result<(), CloudError> {
        if exists {
            sqlx::query("UPDATE images SET deleted = 1 WHERE id = $1").bind(image).execute(&db::api()?).await?;
            tracing::debug!(image, "snapshot image deleted");
        }
        Ok(())
    }

    async fn set_state(&self, uuid: &str, state: &str) -> Result<(), CloudError> {
        sqlx::query("UPDATE instances SET state = $1 WHERE uuid = $2")
            .bind(state)
            .bind(uuid)
            .execute(&db::api()?)
            .await?;
        tracing::debug!(instance = uuid, state, "state changed");
        Ok(())
    }

    async fn cell_of(&self, host: &str) -> Result<String, CloudError> {
        let row: Option<(String,)> = sqlx::query_as("SELECT cell FROM host_mappings WHERE host = $1")
            .bind(host)
            .fetch_optional(&db::api()?)
            .await?;
        row.map(|(cell,)| cell).ok_or_else(|| CloudError::NoValidHost(format!("host {host} is not mapped to a cell")))
    }
}

/// Records that compute host `host` belongs to `cell`.
pub async fn map_host(host: &str, cell: &str) -> Result<(), CloudError> {
    sqlx::query("INSERT INTO host_mappings (host, cell) VALUES ($1, $2)")
        .bind(host)
        .bind(cell)
        .execute(&db::api()?)
        .await?;
    Ok(())
}

/// The cell record of `uuid` in the current cell: `(host, flavor, state)`.
pub async fn cell_record(uuid: &str) -> Result<Option<(String, String, String)>, CloudError> {
    Ok(sqlx::query_as("SELECT host, flavor, state FROM instances WHERE uuid = $1")
        .bind(uuid)
        .fetch_optional(&db::cell()?)
        .await?)
}

async fn insert_cell_record(uuid: &str, host: &str, flavor: &str, state: &str) -> Result<(), CloudError> {
    sqlx::query("INSERT INTO instances (uuid, host, flavor, state) VALUES ($1, $2, $3, $4)")
        .bind(uuid)
        .bind(host)
        .bind(flavor)
        .bind(state)
        .execute(&cell_pool()?)
        .await?;
    Ok(())
}

async fn update_cell_record(uuid: &str, host: &str, flavor: &str) -> Result<(), CloudError> {
    sqlx::query("UPDATE instances SET host = $1, flavor = $2 WHERE uuid = $3")
        .bind(host)
        .bind(flavor)
        .bind(uuid)
        .execute(&cell_pool()?)
        .await?;
    Ok(())
}

async fn delete_cell_record(uuid: &str) -> Result<(), CloudError> {
    sqlx::query("DELETE FROM instances WHERE uuid = $1").bind(uuid).execute(&cell_pool()?).await?;
    Ok(())
}

fn cell_pool() -> Result<AnyPool, CloudError> {
    Ok(db::cell()?)
}

/// The status API: a client sends an instance's uuid on a line, the server answers its state
/// (or `NOT_FOUND`) on a line. Serves on `listener` until `shutdown` completes.
pub async fn serve_status(
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()>,
) -> std::io::Result<()> {
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (socket, peer) = accepted?;
                tracing::debug!(%peer, "status client connected");
                tokio::spawn(answer_status(socket));
            }
            () = &mut shutdown => {
                tracing::info!("status API stopped");
                return Ok(());
            }
        }
    }
}

async fn answer_status(socket: tokio::net::TcpStream) -> std::io::Result<()> {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let (reader, mut writer) = socket.into_split();
    let mut lines = BufReader::new(reader).lines();
    while let Some(uuid) = lines.next_line().await? {
        let state: Option<(String,)> = match db::api() {
            Ok(api) => sqlx::query_as("SELECT state FROM instances WHERE uuid = $1")
                .bind(uuid.trim())
                .fetch_optional(&api)
                .await
                .map_err(std::io::Error::other)?,
            Err(error) => return Err(std::io::Error::other(error.to_string())),
        };
        let answer = state.map_or_else(|| "NOT_FOUND".to_owned(), |(state,)| state);
        writer.write_all(format!("{answer}\n").as_bytes()).await?;
    }
    Ok(())
}
