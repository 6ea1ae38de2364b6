//! Nothing here: the tests are the point.
