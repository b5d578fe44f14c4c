//! Checks the constants table against CPython's `socket` module on the same machine.
//!
//! Parity with CPython is the project's promise, and both read the same C headers,
//! so every integer constant Python exports here must be present with the same value.
//! The interpreter is `python3`, or the one named by `BSD_SOCKETS_PYTHON`; without
//! one the test says so and passes.

use std::collections::HashMap;
use std::process::Command;

/// Lists `NAME VALUE` for every integer constant of Python's socket module.
const SCRIPT: &str = r#"
import socket
for name in sorted(dir(socket)):
    value = getattr(socket, name)
    if name[:1].isupper() and isinstance(value, int) and not isinstance(value, bool):
        print(name, int(value))
"#;

#[test]
fn every_python_socket_constant_is_present_with_the_same_value() {
  let python = std::env::var("BSD_SOCKETS_PYTHON").unwrap_or_else(|_| "python3".to_owned());
  let output = match Command::new(&python).arg("-c").arg(SCRIPT).output() {
    Ok(output) if output.status.success() => output,
    Ok(output) => {
      println!(
        "skipped: {python} failed ({}): {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
      );
      return;
    }
    Err(err) => {
      println!("skipped: cannot run {python}: {err}");
      return;
    }
  };

  let ours: HashMap<&str, i64> = bsd_sockets_core::constants::all().iter().copied().collect();
  let stdout = String::from_utf8_lossy(&output.stdout);
  let mut checked = 0;
  let mut missing = Vec::new();
  let mut different = Vec::new();
  for line in stdout.lines() {
    let Some((name, value)) = line.split_once(' ') else {
      continue;
    };
    let Ok(value) = value.trim().parse::<i64>() else {
      different.push(format!("{name}: python printed {value:?}"));
      continue;
    };
    checked += 1;
    match ours.get(name) {
      None => missing.push(name.to_owned()),
      Some(&mine) if mine != value => different.push(format!("{name}: python {value}, ours {mine}")),
      Some(_) => {}
    }
  }

  println!("{python}: {checked} integer constants checked, ours has {}", ours.len());
  if !missing.is_empty() {
    println!("missing ({}): {}", missing.len(), missing.join(" "));
  }
  if !different.is_empty() {
    println!("different ({}):\n  {}", different.len(), different.join("\n  "));
  }
  assert!(checked > 0, "{python} printed no constants");
  assert!(
    missing.is_empty() && different.is_empty(),
    "constants differ from Python's"
  );
}
