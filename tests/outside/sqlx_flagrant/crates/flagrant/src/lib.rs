pub mod db;
pub mod distributor;
pub mod errors;
pub mod evaluator;
pub mod models;
