//! Go's checks of a host function's arguments against its parameter types.
//!
//! text/template calls a function through reflection: before the call,
//! `evalCall` counts the arguments against the function's signature and
//! `evalArg`/`validateType` check each one against its parameter's type.
//! A Sprig function declared `trunc(c int, s string)` therefore fails on a
//! float64 from the values (`wrong type for value; expected int; got
//! float64`) before it runs, and `hasKey` on `.Chart.Annotations` (a
//! `map[string]string`) fails where a lenient port would answer. A chart
//! that helm rejects this way must be a located diagnostic here too, so
//! the host declares each function's [`Sig`] and the executor applies
//! Go's rules with Go's words.

use super::value::{IntKind, Map, SliceType, Value};

/// A parameter's Go type, as far as argument checking tells types apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Param {
    /// `interface {}`: takes anything (a missing value as nil).
    Any,
    /// `string`.
    String,
    /// `int`.
    Int,
    /// `float64`.
    Float64,
    /// `bool`.
    Bool,
    /// `uint32`.
    Uint32,
    /// `map[string]interface {}` (also takes a named map type with that
    /// underlying type, such as Helm's `common.Values`).
    Map,
    /// `[]interface {}`.
    List,
    /// `time.Time`.
    Time,
    /// `*semver.Version`.
    Semver,
    /// Sprig's `certificate` struct (what `genCA` returns).
    Certificate,
}

impl Param {
    /// Go's name of the type, as its messages print it.
    pub fn go_name(self) -> &'static str {
        match self {
            Param::Any => "interface {}",
            Param::String => "string",
            Param::Int => "int",
            Param::Float64 => "float64",
            Param::Bool => "bool",
            Param::Uint32 => "uint32",
            Param::Map => "map[string]interface {}",
            Param::List => "[]interface {}",
            Param::Time => "time.Time",
            Param::Semver => "*semver.Version",
            Param::Certificate => "sprig.certificate",
        }
    }

    /// Go's `canBeNil`: whether a missing value is passed as the type's
    /// zero value rather than refused.
    fn nillable(self) -> bool {
        matches!(self, Param::Any | Param::Map | Param::List | Param::Semver)
    }

    /// `reflect.Type.AssignableTo` for a value's dynamic type.
    fn takes(self, v: &Value) -> bool {
        match (self, v) {
            (Param::Any, _) => true,
            (Param::String, Value::String(_)) => true,
            (Param::Int, Value::Int(_, IntKind::Int)) => true,
            (Param::Float64, Value::Float(_)) => true,
            (Param::Bool, Value::Bool(_)) => true,
            // A named map type is assignable when its underlying type is
            // `map[string]interface {}` (Go's rule for one unnamed side).
            (Param::Map, Value::Map(m)) => {
                matches!(m.type_name(), None | Some("common.Values"))
            }
            (Param::List, Value::List(l)) => l.slice_type() == SliceType::Interface,
            (Param::Time | Param::Semver | Param::Certificate, Value::Map(m)) => {
                m.type_name() == Some(self.go_name())
            }
            _ => false,
        }
    }
}

/// A function's parameters, the last one repeated when `variadic`
/// (`func(sep string, v ...interface{})`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sig {
    /// Every parameter in order; for a variadic function the last is the
    /// element type of its `...` parameter.
    pub params: &'static [Param],
    /// Whether the last parameter is `...`.
    pub variadic: bool,
}

impl Sig {
    /// `evalCall`'s count check, before any argument is evaluated: `given`
    /// arguments written in the command plus the piped value, if any.
    pub fn check_count(&self, name: &str, given: usize, piped: bool) -> Result<(), String> {
        let n_in = given + usize::from(piped);
        if self.variadic {
            let fixed = self.params.len().saturating_sub(1);
            if n_in < fixed {
                // Go prints the written arguments only, not the piped one.
                return Err(format!(
                    "wrong number of args for {name}: want at least {fixed} got {given}"
                ));
            }
        } else if n_in != self.params.len() {
            return Err(format!(
                "wrong number of args for {name}: want {} got {n_in}",
                self.params.len()
            ));
        }
        Ok(())
    }

    /// The type of argument `i` (0-based), the piped value included.
    pub fn param(&self, i: usize) -> Param {
        let last = self.params.len().saturating_sub(1);
        self.params.get(i.min(last)).copied().unwrap_or(Param::Any)
    }
}

/// How an evaluated argument reached the call, which decides what Go's
/// `validateType` sees for a nil.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nil {
    /// No value at all (an invalid `reflect.Value`): a pipeline's nil
    /// result, a piped nil, a field of a missing value.
    Invalid,
    /// A nil `interface {}`: a map element or range element holding nil.
    Interface,
}

/// `validateType`: whether `v` may be passed for a parameter of type `p`.
pub fn check_value(v: &Value, nil: Nil, p: Param) -> Result<(), String> {
    if matches!(v, Value::Nil) {
        return match nil {
            Nil::Invalid if p.nillable() => Ok(()),
            Nil::Invalid => Err(format!("invalid value; expected {}", p.go_name())),
            Nil::Interface if p == Param::Any => Ok(()),
            Nil::Interface => Err(format!(
                "wrong type for value; expected {}; got interface {{}}",
                p.go_name()
            )),
        };
    }
    if p.takes(v) {
        return Ok(());
    }
    Err(format!(
        "wrong type for value; expected {}; got {}",
        p.go_name(),
        v.type_name()
    ))
}

/// `evalArg` for a constant written in the template (`text` as written):
/// Go converts it to the parameter's type when its kind allows, else
/// fails naming the constant.
pub fn check_const(v: &Value, text: &str, p: Param) -> Result<(), String> {
    let is_int = match v {
        Value::Int(..) => true,
        Value::Float(f) => f.fract() == 0.0 && f.abs() < 9.2e18,
        _ => false,
    };
    let is_number = matches!(v, Value::Int(..) | Value::Float(_));
    let expected = match p {
        Param::Any => return Ok(()),
        Param::Bool if matches!(v, Value::Bool(_)) => return Ok(()),
        Param::String if matches!(v, Value::String(_)) => return Ok(()),
        Param::Int if is_int => return Ok(()),
        Param::Uint32 if is_int && !matches!(v, Value::Int(i, _) if *i < 0) => return Ok(()),
        Param::Float64 if is_number => return Ok(()),
        Param::Bool => "bool",
        Param::String => "string",
        Param::Int => "integer",
        Param::Uint32 => "unsigned integer",
        Param::Float64 => "float",
        Param::Map | Param::List | Param::Time | Param::Semver | Param::Certificate => {
            return Err(format!(
                "can't handle {text} for arg of type {}",
                p.go_name()
            ));
        }
    };
    Err(format!("expected {expected}; found {text}"))
}

/// `evalArg` for the `nil` keyword.
pub fn check_nil(p: Param) -> Result<(), String> {
    if p.nillable() {
        Ok(())
    } else {
        Err(format!("cannot assign nil to {}", p.go_name()))
    }
}

/// What the function receives for an argument that passed the checks: a
/// missing value given for a map parameter arrives as a nil map
/// (`reflect.Zero`), which reads as empty and refuses assignment; a named
/// map type (`common.Values`) arrives as the parameter's plain
/// `map[string]interface {}`, the same map (so `set .Values "a" 1`
/// returns a plain map).
pub fn zero_for(v: Value, p: Param) -> Value {
    match (v, p) {
        (Value::Nil, Param::Map) => Value::Map(Map::nil_plain()),
        (Value::Map(m), Param::Map) if m.type_name().is_some() => Value::Map(m.plain_view()),
        (v, _) => v,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRUNC: Sig = Sig {
        params: &[Param::Int, Param::String],
        variadic: false,
    };
    const PICK: Sig = Sig {
        params: &[Param::Map, Param::String],
        variadic: true,
    };

    #[test]
    fn counts_as_go_does() {
        assert!(TRUNC.check_count("trunc", 1, true).is_ok());
        assert_eq!(
            TRUNC.check_count("trunc", 0, true).unwrap_err(),
            "wrong number of args for trunc: want 2 got 1"
        );
        // The variadic message counts only the written arguments.
        assert_eq!(
            PICK.check_count("pick", 0, false).unwrap_err(),
            "wrong number of args for pick: want at least 1 got 0"
        );
        assert!(PICK.check_count("pick", 0, true).is_ok());
        assert_eq!(PICK.param(5), Param::String);
    }

    #[test]
    fn values_are_checked_by_their_dynamic_type() {
        assert!(check_value(&Value::int(1), Nil::Invalid, Param::Int).is_ok());
        assert_eq!(
            check_value(&Value::Float(1.0), Nil::Invalid, Param::Int).unwrap_err(),
            "wrong type for value; expected int; got float64"
        );
        assert_eq!(
            check_value(&Value::Nil, Nil::Interface, Param::String).unwrap_err(),
            "wrong type for value; expected string; got interface {}"
        );
        assert_eq!(
            check_value(&Value::Nil, Nil::Invalid, Param::String).unwrap_err(),
            "invalid value; expected string"
        );
        assert!(check_value(&Value::Nil, Nil::Invalid, Param::Map).is_ok());
        assert!(matches!(zero_for(Value::Nil, Param::Map), Value::Map(m) if m.is_nil()));
    }

    #[test]
    fn constants_convert_by_kind() {
        assert!(check_const(&Value::int(2), "2", Param::Float64).is_ok());
        assert!(check_const(&Value::Float(3.0), "3.0", Param::Int).is_ok());
        assert_eq!(
            check_const(&Value::Float(1.5), "1.5", Param::Int).unwrap_err(),
            "expected integer; found 1.5"
        );
        assert_eq!(
            check_const(&Value::str("m"), "\"m\"", Param::Map).unwrap_err(),
            "can't handle \"m\" for arg of type map[string]interface {}"
        );
        assert_eq!(
            check_nil(Param::Bool).unwrap_err(),
            "cannot assign nil to bool"
        );
    }
}
