//! A faithful Go `text/template`: lexer, parser and executor, as Helm's
//! engine runs them.
//!
//! Why our own engine: `helm template` output must be matched byte for
//! byte, and that needs Go's trim markers and comments, its grammar (a
//! trailing `|` before `}}`, `else with`, `break`/`continue`), its
//! truthiness and `fmt` printing (`map[a:1]`, `1e+06`, `<no value>`), and
//! above all Go's reference semantics for maps: Sprig's `set`/`merge`
//! change a map every holder sees (see [`Map`]).
//!
//! - [`Set`] holds the templates and functions (Go's associated templates
//!   and `FuncMap`); [`Set::parse`] adds a file and its `define`s.
//! - [`Set::execute`] runs a template; with a mark list it records, from
//!   the parse tree, the template line each output piece comes from.
//! - Functions get the running [`Exec`], through which a host implements
//!   Helm's `include` ([`Exec::execute_template`]) and `tpl`
//!   ([`Exec::execute_text`]).
//! - Values keep the Go type the template would see where output depends
//!   on it: an integer is an `int`, `int64`, `uint8` or `uint64`
//!   ([`IntKind`]), which `%T`, `%!s(int64=7)`, `typeOf`/`kindIs` and
//!   Sprig's type switches (`duration` reads only an int64) tell apart,
//!   while arithmetic and comparison treat them alike; a `[]byte` (Helm's
//!   file contents) prints as `[97 98]`, marshals as base64 and ranges
//!   over `uint8`s.
//! - Missing map keys give nil (Helm's `missingkey=zero`), printed as
//!   `<no value>`; a field of a nil map entry is Go's `nil pointer
//!   evaluating interface {}.x` error.
//!
//! Parts are ported from Go's `src/text/template` (BSD licence, the Go
//! Authors); no code is taken from the `gotmpl` crate.

mod exec;
mod fmt;
mod lex;
mod parse;
mod sig;
mod value;

#[cfg(test)]
mod tests;

pub use exec::{Error, Exec, Func, Limits, Mark, MethodSigs, Methods, Set, map_value};
pub(crate) use fmt::is_go_print;
pub use fmt::{go_quote, sprint, sprintf, sprintln};
pub use parse::{Arg, Branch, Command, List, Node, ParseError, Pipe, Tree, parse};
pub use sig::{Param, Sig};
pub use value::{
    ElemZero, Entries, GoField, GoKind, GoType, IntKind, Map, STRING_MAP, Slice, SliceType, Value,
    deep_equal, go_float, go_string, go_string_bytes, go_string_from_bytes, is_carried_byte,
    print_value,
};
