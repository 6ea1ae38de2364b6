use testrig::db::Database;

#[testrig::test]
#[database(backends())]
async fn none(_db: &Database) {}

#[testrig::test]
#[database(backends(sqlite, oracle))]
async fn unknown(_db: &Database) {}

#[testrig::test]
#[database(backends(mysql))]
async fn mysql(_db: &Database) {}

#[testrig::test]
#[database(backends(sqlite, postgres, sqlite))]
async fn twice(_db: &Database) {}

#[testrig::test]
#[database(backend = sqlite, backends(sqlite, postgres))]
async fn pinned_and_listed(_db: &Database) {}

#[testrig::test]
#[database(backend = "postgres")]
async fn quoted(_db: &Database) {}

#[testrig::test]
#[database(backend = sqlite, backend = postgres)]
async fn pinned_twice(_db: &Database) {}

#[testrig::test]
#[databases(primary(backend = postgres), analytics(backends(sqlite, postgres)))]
async fn in_a_set(_dbs: &testrig::db::Databases) {}

#[testrig::test]
#[database(backends(sqlite, postgres))]
async fn typed(_pool: &sqlx::PgPool) {}

#[testrig::test]
#[database(backend = sqlite)]
async fn pinned_typed(_pool: &sqlx::PgPool) {}

#[testrig::test]
#[database(backends(sqlite), backends(postgres))]
async fn listed_twice(_db: &Database) {}

// One backend listed, its own typed pool: fine.
#[testrig::test]
#[database(backends(postgres))]
async fn typed_alone(_pool: &sqlx::PgPool) {}

fn main() {}
