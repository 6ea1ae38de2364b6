#[testrig::test]
#[databases()]
async fn none(_dbs: &testrig::db::Databases) {}

#[testrig::test]
#[databases(primary, primary(migrations = false))]
async fn twice(_dbs: &testrig::db::Databases) {}

#[testrig::test]
#[databases("primary")]
async fn not_a_name(_dbs: &testrig::db::Databases) {}

#[testrig::test]
#[database(migrations = false)]
#[databases(primary)]
async fn both(_dbs: &testrig::db::Databases) {}

fn main() {}
