/** Exit codes (DESIGN.md §3): 0 ok, 1 failure of the work itself, 2 usage. */
export enum ExitCode {
  Ok = 0,
  Failure = 1,
  Usage = 2,
}
