//! The formula language: small enough to be safe. Numbers, `+ - * /`, parentheses, the
//! comparisons `< <= > >= == !=`, `and`, `or`, `not`, the functions `min(a, b, …)`,
//! `max(a, b, …)`, `clamp(x, lo, hi)`, `if(cond, then, else)` and
//! `threshold(x, t1, v1, t2, v2, …, otherwise)` (the value of the first `x >= tN`, thresholds
//! from high to low), and references to named values (a source's value or a derived value).
//!
//! A formula is parsed and type-checked when the indicator file loads: a number where a
//! condition is expected (or the reverse), an unknown name, a wrong argument count — each is
//! refused with its position. Evaluation is a walk over the tree: nothing is executed, and a
//! division by zero is an error value, never a silent zero (`if` evaluates only the branch it
//! takes, so `if(due == 0, 1, done / due)` is the way to handle an empty denominator).

use std::collections::BTreeSet;

/// A parsed formula.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Num(f64),
    Name(String),
    Neg(Box<Expr>),
    Not(Box<Expr>),
    Bin(BinOp, Box<Expr>, Box<Expr>),
    Call(Func, Vec<Expr>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
    And,
    Or,
}

impl BinOp {
    fn symbol(self) -> &'static str {
        match self {
            Self::Add => "+",
            Self::Sub => "-",
            Self::Mul => "*",
            Self::Div => "/",
            Self::Lt => "<",
            Self::Le => "<=",
            Self::Gt => ">",
            Self::Ge => ">=",
            Self::Eq => "==",
            Self::Ne => "!=",
            Self::And => "and",
            Self::Or => "or",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Func {
    Min,
    Max,
    Clamp,
    If,
    Threshold,
}

/// A value's type: a number or a condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    Num,
    Bool,
}

impl Ty {
    fn label(self) -> &'static str {
        match self {
            Ty::Num => "数值",
            Ty::Bool => "条件",
        }
    }
}

/// A syntax error: the 1-based character column and the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub col: usize,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(f64),
    Ident(String),
    Op(&'static str),
    LParen,
    RParen,
    Comma,
}

/// Formulas longer than this are refused (a formula is a line, not a program).
pub const MAX_LEN: usize = 2000;
const MAX_DEPTH: usize = 64;

fn lex(src: &str) -> Result<Vec<(Tok, usize)>, SyntaxError> {
    let chars: Vec<char> = src.chars().collect();
    if chars.len() > MAX_LEN {
        return Err(SyntaxError {
            col: MAX_LEN,
            reason: format!("公式过长（最多 {MAX_LEN} 个字符）"),
        });
    }
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let col = i + 1;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c.is_ascii_digit() || (c == '.' && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit()))
        {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            let text: String = chars[start..i].iter().collect();
            let v: f64 = text.parse().map_err(|_| SyntaxError {
                col,
                reason: format!("“{text}”不是有效的数字"),
            })?;
            out.push((Tok::Num(v), col));
            continue;
        }
        if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push((Tok::Ident(chars[start..i].iter().collect()), col));
            continue;
        }
        let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
        let op2 = ["<=", ">=", "==", "!="].into_iter().find(|o| *o == two);
        if let Some(o) = op2 {
            out.push((Tok::Op(o), col));
            i += 2;
            continue;
        }
        let tok = match c {
            '+' => Tok::Op("+"),
            '-' => Tok::Op("-"),
            '*' => Tok::Op("*"),
            '/' => Tok::Op("/"),
            '<' => Tok::Op("<"),
            '>' => Tok::Op(">"),
            '(' | '（' => Tok::LParen,
            ')' | '）' => Tok::RParen,
            ',' | '，' => Tok::Comma,
            _ => {
                return Err(SyntaxError {
                    col,
                    reason: format!("不认识的字符“{c}”"),
                })
            }
        };
        out.push((tok, col));
        i += 1;
    }
    Ok(out)
}

struct Parser {
    toks: Vec<(Tok, usize)>,
    pos: usize,
    end_col: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|(t, _)| t)
    }

    fn col(&self) -> usize {
        self.toks
            .get(self.pos)
            .map(|(_, c)| *c)
            .unwrap_or(self.end_col)
    }

    fn err<T>(&self, reason: impl Into<String>) -> Result<T, SyntaxError> {
        Err(SyntaxError {
            col: self.col(),
            reason: reason.into(),
        })
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).map(|(t, _)| t.clone());
        self.pos += 1;
        t
    }

    fn binop(&self) -> Option<(BinOp, u8)> {
        Some(match self.peek()? {
            Tok::Ident(w) if w == "or" => (BinOp::Or, 1),
            Tok::Ident(w) if w == "and" => (BinOp::And, 2),
            Tok::Op("<") => (BinOp::Lt, 3),
            Tok::Op("<=") => (BinOp::Le, 3),
            Tok::Op(">") => (BinOp::Gt, 3),
            Tok::Op(">=") => (BinOp::Ge, 3),
            Tok::Op("==") => (BinOp::Eq, 3),
            Tok::Op("!=") => (BinOp::Ne, 3),
            Tok::Op("+") => (BinOp::Add, 4),
            Tok::Op("-") => (BinOp::Sub, 4),
            Tok::Op("*") => (BinOp::Mul, 5),
            Tok::Op("/") => (BinOp::Div, 5),
            _ => return None,
        })
    }

    fn expr(&mut self, min_prec: u8) -> Result<Expr, SyntaxError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return self.err("公式嵌套过深");
        }
        let mut lhs = self.unary()?;
        while let Some((op, prec)) = self.binop() {
            if prec < min_prec {
                break;
            }
            self.pos += 1;
            // Comparisons do not chain: `a < b < c` is refused by the type check.
            let rhs = self.expr(prec + 1)?;
            lhs = Expr::Bin(op, Box::new(lhs), Box::new(rhs));
        }
        self.depth -= 1;
        Ok(lhs)
    }

    fn unary(&mut self) -> Result<Expr, SyntaxError> {
        match self.peek() {
            Some(Tok::Op("-")) => {
                self.pos += 1;
                Ok(Expr::Neg(Box::new(self.expr(6)?)))
            }
            Some(Tok::Ident(w)) if w == "not" => {
                self.pos += 1;
                Ok(Expr::Not(Box::new(self.expr(3)?)))
            }
            _ => self.atom(),
        }
    }

    fn atom(&mut self) -> Result<Expr, SyntaxError> {
        let col = self.col();
        match self.next() {
            Some(Tok::Num(v)) => Ok(Expr::Num(v)),
            Some(Tok::LParen) => {
                let e = self.expr(0)?;
                match self.next() {
                    Some(Tok::RParen) => Ok(e),
                    _ => {
                        self.pos -= 1;
                        self.err("缺少右括号“)”")
                    }
                }
            }
            Some(Tok::Ident(name)) => {
                if matches!(name.as_str(), "and" | "or" | "not") {
                    return Err(SyntaxError {
                        col,
                        reason: format!("“{name}”前缺少数值"),
                    });
                }
                if self.peek() == Some(&Tok::LParen) {
                    let func = match name.as_str() {
                        "min" => Func::Min,
                        "max" => Func::Max,
                        "clamp" => Func::Clamp,
                        "if" => Func::If,
                        "threshold" => Func::Threshold,
                        _ => {
                            return Err(SyntaxError {
                                col,
                                reason: format!(
                                    "未知的函数“{name}”：可用 min、max、clamp、if、threshold"
                                ),
                            })
                        }
                    };
                    self.pos += 1;
                    let mut args = Vec::new();
                    if self.peek() != Some(&Tok::RParen) {
                        loop {
                            args.push(self.expr(0)?);
                            match self.peek() {
                                Some(Tok::Comma) => self.pos += 1,
                                Some(Tok::RParen) => break,
                                _ => return self.err("函数参数之间应以逗号分隔，并以“)”结束"),
                            }
                        }
                    }
                    self.pos += 1;
                    let ok = match func {
                        Func::Min | Func::Max => !args.is_empty(),
                        Func::Clamp | Func::If => args.len() == 3,
                        Func::Threshold => args.len() >= 4 && args.len() % 2 == 0,
                    };
                    if !ok {
                        return Err(SyntaxError {
                            col,
                            reason: match func {
                                Func::Min | Func::Max => format!("{name} 至少需要一个参数"),
                                Func::Clamp => "clamp 需要三个参数：clamp(值, 下限, 上限)".into(),
                                Func::If => "if 需要三个参数：if(条件, 成立时, 不成立时)".into(),
                                Func::Threshold => {
                                    "threshold 的参数为：threshold(值, 门槛1, 分值1, …, 其他)"
                                        .into()
                                }
                            },
                        });
                    }
                    Ok(Expr::Call(func, args))
                } else {
                    Ok(Expr::Name(name))
                }
            }
            Some(Tok::RParen) | Some(Tok::Comma) | Some(Tok::Op(_)) => {
                self.pos -= 1;
                self.err("此处应为数值、名称或“(”")
            }
            None => self.err("公式不完整"),
        }
    }
}

/// Parse a formula.
pub fn parse(src: &str) -> Result<Expr, SyntaxError> {
    let toks = lex(src)?;
    let end_col = src.chars().count() + 1;
    if toks.is_empty() {
        return Err(SyntaxError {
            col: 1,
            reason: "公式为空".into(),
        });
    }
    let mut p = Parser {
        toks,
        pos: 0,
        end_col,
        depth: 0,
    };
    let e = p.expr(0)?;
    if p.pos < p.toks.len() {
        return p.err("公式在此处之后有多余内容");
    }
    Ok(e)
}

impl Expr {
    /// The names referenced, each once.
    pub fn names(&self) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        self.collect(&mut out);
        out
    }

    fn collect(&self, out: &mut BTreeSet<String>) {
        match self {
            Expr::Num(_) => {}
            Expr::Name(n) => {
                out.insert(n.clone());
            }
            Expr::Neg(e) | Expr::Not(e) => e.collect(out),
            Expr::Bin(_, a, b) => {
                a.collect(out);
                b.collect(out);
            }
            Expr::Call(_, args) => args.iter().for_each(|a| a.collect(out)),
        }
    }

    /// The formula's type, given the type of each name (every name here is a number).
    pub fn check(&self) -> Result<Ty, String> {
        let num = |e: &Expr, what: &str| -> Result<(), String> {
            match e.check()? {
                Ty::Num => Ok(()),
                t => Err(format!("{what}应为数值，此处是{}", t.label())),
            }
        };
        let cond = |e: &Expr, what: &str| -> Result<(), String> {
            match e.check()? {
                Ty::Bool => Ok(()),
                t => Err(format!("{what}应为条件（比较），此处是{}", t.label())),
            }
        };
        match self {
            Expr::Num(_) | Expr::Name(_) => Ok(Ty::Num),
            Expr::Neg(e) => num(e, "负号之后").map(|_| Ty::Num),
            Expr::Not(e) => cond(e, "not 之后").map(|_| Ty::Bool),
            Expr::Bin(op, a, b) => match op {
                BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div => {
                    let w = format!("“{}”两侧", op.symbol());
                    num(a, &w)?;
                    num(b, &w)?;
                    Ok(Ty::Num)
                }
                BinOp::And | BinOp::Or => {
                    let w = format!("“{}”两侧", op.symbol());
                    cond(a, &w)?;
                    cond(b, &w)?;
                    Ok(Ty::Bool)
                }
                _ => {
                    let w = format!("比较“{}”两侧", op.symbol());
                    num(a, &w)?;
                    num(b, &w)?;
                    Ok(Ty::Bool)
                }
            },
            Expr::Call(f, args) => match f {
                Func::Min | Func::Max | Func::Clamp => {
                    for a in args {
                        num(a, "函数参数")?;
                    }
                    Ok(Ty::Num)
                }
                Func::If => {
                    if let [c, a, b] = args.as_slice() {
                        cond(c, "if 的第一个参数")?;
                        num(a, "if 的第二个参数")?;
                        num(b, "if 的第三个参数")?;
                    }
                    Ok(Ty::Num)
                }
                Func::Threshold => {
                    for a in args {
                        num(a, "threshold 的参数")?;
                    }
                    Ok(Ty::Num)
                }
            },
        }
    }

    /// Evaluate a number, looking names up with `get`. A division by zero or a missing name
    /// is an error ([`EvalFault`]), never a zero.
    pub fn eval(&self, get: &dyn Fn(&str) -> Option<f64>) -> Result<f64, EvalFault> {
        match self {
            Expr::Num(v) => Ok(*v),
            Expr::Name(n) => get(n).ok_or_else(|| EvalFault::Missing(n.clone())),
            Expr::Neg(e) => Ok(-e.eval(get)?),
            Expr::Bin(op, a, b) => match op {
                BinOp::Add => Ok(a.eval(get)? + b.eval(get)?),
                BinOp::Sub => Ok(a.eval(get)? - b.eval(get)?),
                BinOp::Mul => Ok(a.eval(get)? * b.eval(get)?),
                BinOp::Div => {
                    let d = b.eval(get)?;
                    if d == 0.0 {
                        return Err(EvalFault::DivisionByZero(format!("{b}")));
                    }
                    Ok(a.eval(get)? / d)
                }
                _ => Ok(if self.truth(get)? { 1.0 } else { 0.0 }),
            },
            Expr::Not(_) => Ok(if self.truth(get)? { 1.0 } else { 0.0 }),
            Expr::Call(f, args) => match f {
                Func::Min | Func::Max => {
                    let mut acc: Option<f64> = None;
                    for a in args {
                        let v = a.eval(get)?;
                        acc = Some(match acc {
                            None => v,
                            Some(x) if *f == Func::Min => x.min(v),
                            Some(x) => x.max(v),
                        });
                    }
                    acc.ok_or_else(|| EvalFault::Missing("min/max".into()))
                }
                Func::Clamp => match args.as_slice() {
                    [x, lo, hi] => {
                        let (x, lo, hi) = (x.eval(get)?, lo.eval(get)?, hi.eval(get)?);
                        Ok(x.max(lo).min(hi))
                    }
                    _ => Err(EvalFault::Missing("clamp".into())),
                },
                Func::If => match args.as_slice() {
                    [c, a, b] => {
                        if c.truth(get)? {
                            a.eval(get)
                        } else {
                            b.eval(get)
                        }
                    }
                    _ => Err(EvalFault::Missing("if".into())),
                },
                Func::Threshold => {
                    let x = args
                        .first()
                        .ok_or_else(|| EvalFault::Missing("threshold".into()))?
                        .eval(get)?;
                    let rest = &args[1..];
                    let (pairs, otherwise) = rest.split_at(rest.len().saturating_sub(1));
                    for p in pairs.chunks(2) {
                        if let [t, v] = p {
                            if x >= t.eval(get)? {
                                return v.eval(get);
                            }
                        }
                    }
                    otherwise
                        .first()
                        .ok_or_else(|| EvalFault::Missing("threshold".into()))?
                        .eval(get)
                }
            },
        }
    }

    fn truth(&self, get: &dyn Fn(&str) -> Option<f64>) -> Result<bool, EvalFault> {
        match self {
            Expr::Not(e) => Ok(!e.truth(get)?),
            Expr::Bin(op, a, b) => match op {
                BinOp::And => Ok(a.truth(get)? && b.truth(get)?),
                BinOp::Or => Ok(a.truth(get)? || b.truth(get)?),
                BinOp::Lt => Ok(a.eval(get)? < b.eval(get)?),
                BinOp::Le => Ok(a.eval(get)? <= b.eval(get)?),
                BinOp::Gt => Ok(a.eval(get)? > b.eval(get)?),
                BinOp::Ge => Ok(a.eval(get)? >= b.eval(get)?),
                BinOp::Eq => Ok(a.eval(get)? == b.eval(get)?),
                BinOp::Ne => Ok(a.eval(get)? != b.eval(get)?),
                _ => Ok(self.eval(get)? != 0.0),
            },
            _ => Ok(self.eval(get)? != 0.0),
        }
    }
}

/// Why an evaluation failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EvalFault {
    /// The divisor (as written) was zero.
    DivisionByZero(String),
    /// A name had no value.
    Missing(String),
}

impl std::fmt::Display for Expr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Expr::Num(v) => write!(f, "{v}"),
            Expr::Name(n) => write!(f, "{n}"),
            Expr::Neg(e) => write!(f, "-({e})"),
            Expr::Not(e) => write!(f, "not ({e})"),
            Expr::Bin(op, a, b) => write!(f, "({a} {} {b})", op.symbol()),
            Expr::Call(func, args) => {
                let name = match func {
                    Func::Min => "min",
                    Func::Max => "max",
                    Func::Clamp => "clamp",
                    Func::If => "if",
                    Func::Threshold => "threshold",
                };
                write!(f, "{name}(")?;
                for (i, a) in args.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{a}")?;
                }
                write!(f, ")")
            }
        }
    }
}
