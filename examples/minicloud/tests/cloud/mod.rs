//! The suite's fixtures: the hosts and their cells, the fault injector, and the cloud that
//! needs them all. The tests name only what they look at.

use std::sync::Arc;

use minicloud::{CloudError, Compute, Hypervisor, HypervisorCall, Instance};
use testrig::db::{sqlx, Cells};
use testrig::logs::Logs;
use testrig::prelude::*;

/// The compute hosts and their cells: host1 and host1b in cell1, host2 in cell2 (the hosts
/// of cells the test did not ask for are left out).
pub struct Hosts;

const HOSTS: [(&str, &str); 3] = [("host1", "cell1"), ("host1b", "cell1"), ("host2", "cell2")];

#[fixture]
impl Hosts {
    async fn setup(cells: &Cells) -> Result<Self, CloudError> {
        for (host, cell) in HOSTS.into_iter().filter(|(_, cell)| cells.names().contains(cell)) {
            cells.map_host(host, cell);
            minicloud::map_host(host, cell).await?;
        }
        Ok(Hosts)
    }
}

/// The test's fake hypervisor, where a test makes a call fail on a host.
pub struct FaultInjector(Arc<Hypervisor>);

#[fixture]
impl FaultInjector {
    fn setup() -> Self {
        FaultInjector(Arc::default())
    }
}

impl FaultInjector {
    /// Makes `call` on `host` fail with HypervisorUnavailable from now on.
    pub fn fail(&self, call: HypervisorCall, host: &str) {
        self.0.inject(call, host);
    }
}

/// The cloud under test: its compute API over this test's databases, hosts and hypervisor.
/// Torn down, it checks what Nova's resize tests check last: no snapshot image is left.
pub struct MiniCloud {
    pub compute: Compute,
    pub cells: Cells,
    pub logs: Logs,
}

#[fixture]
impl MiniCloud {
    fn setup(cells: &Cells, logs: &Logs, _hosts: &Hosts, faults: &FaultInjector) -> Self {
        MiniCloud { compute: Compute::new(faults.0.clone()), cells: cells.clone(), logs: logs.clone() }
    }

    async fn teardown(self) -> Result<(), String> {
        let (left,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM images WHERE deleted = 0")
            .fetch_one(self.cells.api())
            .await
            .map_err(|error| error.to_string())?;
        if left > 0 {
            return Err(format!("{left} snapshot image(s) left behind"));
        }
        Ok(())
    }
}

impl MiniCloud {
    /// Boots `uuid` as an m1.small on `host`.
    pub async fn boot(&self, uuid: &str, host: &str) -> Instance {
        self.compute.create_server(uuid, "m1.small", host).await.expect("boot")
    }

    /// The record of `uuid` in `cell`: `(host, flavor, state)`.
    pub async fn cell_record(&self, cell: &str, uuid: &str) -> Option<(String, String, String)> {
        self.cells.target(cell, minicloud::cell_record(uuid)).await.expect("read the cell record")
    }
}

/// Nova's service fixture for the status API: bound to 127.0.0.1:0, serving this test's
/// databases, stopped after the body.
pub async fn status_api(service: testrig::service::ServiceContext) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    service.ready(listener.local_addr()?);
    minicloud::serve_status(listener, service.stopped()).await
}
