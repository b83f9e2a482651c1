//! Comparing and judging hosts: [`diff`] runs one guest on two hosts and compares what each
//! store holds afterwards; [`conformance`] runs each generation's conformance guest and
//! classifies every case.

pub mod conformance;
pub mod diff;
