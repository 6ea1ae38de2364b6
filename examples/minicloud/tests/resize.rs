//! Nova's cross-cell resize functional tests, on the fixtures in `cloud/`: each test says
//! only what differs — its cells, its settings, its fault — and what it expects.

mod cloud;

use std::time::Duration;

use cloud::{FaultInjector, MiniCloud};
use minicloud::{pick_host, CloudError, HypervisorCall, CONF};
use testrig::logs::{Level, Notifications};
use testrig::prelude::*;
use testrig::service::Services;

const WAIT: Duration = Duration::from_secs(5);

#[testrig::test]
#[with_cells(cell1, cell2)]
#[conf(policy.allow_cross_cell_resize = true, scheduler.prefer_other_cell = true)]
#[conf(compute.rpc_response_timeout = 10, compute.long_rpc_timeout = 60)]
async fn resize_moves_the_instance_to_the_other_cell(cloud: &MiniCloud, notifications: &Notifications) {
    cloud.boot("vm1", "host1").await;
    let resized = cloud.compute.resize("vm1", "m1.large").await.unwrap();
    assert_eq!((resized.host, resized.cell, resized.flavor), ("host2".into(), "cell2".into(), "m1.large".into()));
    assert_eq!(cloud.cell_record("cell1", "vm1").await, None);
    assert_eq!(cloud.cell_record("cell2", "vm1").await.unwrap().2, "ACTIVE");
    notifications.wait_for("instance.resize.end", 1, WAIT).await;
    cloud.logs.assert_logged(Level::INFO, "*rpc_response_timeout=10 long_rpc_timeout=60");
}

#[testrig::test]
#[with_cells(cell1, cell2)]
async fn resize_stays_in_the_cell_when_policy_says_so(cloud: &MiniCloud) {
    cloud.boot("vm1", "host1").await;
    let resized = cloud.compute.resize("vm1", "m1.large").await.unwrap();
    assert_eq!((resized.host.as_str(), resized.cell.as_str()), ("host1b", "cell1"));
    assert_eq!(cloud.cell_record("cell1", "vm1").await.unwrap().1, "m1.large");
    assert_eq!(cloud.cell_record("cell2", "vm1").await, None);
    // The library's `log` records are captured as its `tracing` events are.
    cloud.logs.assert_logged(Level::DEBUG, "server vm1 created on host1");
    let audit = cloud.logs.events().into_iter().find(|event| event.target == "minicloud::audit").unwrap();
    assert_eq!((audit.field("instance"), audit.field("host")), (Some("vm1"), Some("host1")));
}

#[testrig::test]
#[with_cells(cell1, cell2)]
#[conf(policy.allow_cross_cell_resize = true, scheduler.prefer_other_cell = true)]
async fn a_spawn_failure_on_the_target_rolls_back(cloud: &MiniCloud, faults: &FaultInjector, notes: &Notifications) {
    cloud.boot("vm1", "host1").await;
    faults.fail(HypervisorCall::Spawn, "host2");
    assert!(matches!(cloud.compute.resize("vm1", "m1.large").await, Err(CloudError::Hypervisor(_))));
    let instance = cloud.compute.instance("vm1").await.unwrap();
    assert_eq!((instance.host.as_str(), instance.state.as_str()), ("host1", "ACTIVE"));
    assert_eq!(cloud.cell_record("cell2", "vm1").await, None);
    notes.wait_for("instance.resize.error", 1, WAIT).await;
}

#[testrig::test]
#[with_cells(cell1, cell2)]
#[conf(policy.allow_cross_cell_resize = true, scheduler.prefer_other_cell = true)]
async fn a_destroy_failure_on_the_source_leaves_the_instance_in_error(cloud: &MiniCloud, faults: &FaultInjector) {
    cloud.boot("vm1", "host1").await;
    faults.fail(HypervisorCall::Destroy, "host1");
    assert!(cloud.compute.resize("vm1", "m1.large").await.is_err());
    assert_eq!(cloud.compute.instance("vm1").await.unwrap().state, "ERROR");
    cloud.logs.assert_logged(Level::ERROR, "hypervisor unavailable*host1");
}

#[testrig::test]
#[with_cells(cell1, cell2)]
async fn policy_forbids_a_move_to_the_only_other_cell(cloud: &MiniCloud) {
    cloud.boot("vm2", "host2").await;
    let refused = cloud.compute.resize("vm2", "m1.large").await;
    assert!(matches!(refused, Err(CloudError::NoValidHost(_))), "{refused:?}");
    assert_eq!(cloud.compute.instance("vm2").await.unwrap().state, "ACTIVE");
    cloud.logs.assert_logged(Level::WARN, "no other host for vm2 (cross-cell resize allowed: false)");
}

#[testrig::test]
#[with_cells(cell1, cell2)]
#[conf(policy.allow_cross_cell_resize = true, scheduler.prefer_other_cell = false)]
async fn without_the_weigher_a_host_of_the_same_cell_wins(cloud: &MiniCloud) {
    cloud.boot("vm1", "host1").await;
    assert_eq!(cloud.compute.resize("vm1", "m1.large").await.unwrap().host, "host1b");
}

#[testrig::test]
#[with_cells(cell1, cell2)]
#[service(cloud::status_api)]
#[timeout(30)]
async fn the_status_api_serves_the_tests_own_databases(cloud: &MiniCloud, services: &Services) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    cloud.boot("vm1", "host1").await;
    let address: &std::net::SocketAddr = services.get("status_api");
    let stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let (reader, mut writer) = stream.into_split();
    writer.write_all(b"vm1\nvm9\n").await.unwrap();
    let mut lines = BufReader::new(reader).lines();
    assert_eq!(lines.next_line().await.unwrap().as_deref(), Some("ACTIVE"));
    assert_eq!(lines.next_line().await.unwrap().as_deref(), Some("NOT_FOUND"));
}

#[poison_db]
fn the_weigher_is_pure_logic() {
    let hosts =
        [("host1".to_owned(), "cell1".to_owned()), ("host1b".into(), "cell1".into()), ("host2".into(), "cell2".into())];
    assert_eq!(pick_host(&hosts, "host1", "cell1", true, true).unwrap().0, "host2");
    assert_eq!(pick_host(&hosts, "host1", "cell1", true, false).unwrap().0, "host1b");
    assert_eq!(pick_host(&hosts, "host2", "cell2", false, true), None);
}
