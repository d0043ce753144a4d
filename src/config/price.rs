//! What a backend charges (`price` in its table): per million characters sent, or per million
//! tokens in and out for the LLM kinds; nothing for the engines that run here. Defaults follow the
//! services' public list prices as published in 2025; a desk with another contract says its own.

use super::BackendKind;

/// An amount of money: `"20 USD"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Amount {
    /// Millionths of the currency's unit.
    pub micros: i64,
    pub currency: String,
}

impl Amount {
    pub fn parse(text: &str) -> Result<Amount, String> {
        let bad = || format!("{:?} is not an amount like \"20 USD\"", text.trim());
        let mut parts = text.split_whitespace();
        let amount: f64 =
            parts.next().and_then(|a| a.parse().ok()).filter(|a: &f64| a.is_finite() && *a >= 0.0).ok_or_else(bad)?;
        let currency = parts.next().filter(|c| is_currency(c)).ok_or_else(bad)?;
        if parts.next().is_some() || amount > 1e12 {
            return Err(bad());
        }
        Ok(Amount { micros: (amount * 1e6).round() as i64, currency: currency.to_string() })
    }
}

impl std::fmt::Display for Amount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:.2} {}", self.micros as f64 / 1e6, self.currency)
    }
}

/// The most a desk (`[budget]`) or a backend (`daily_budget`, `monthly_budget`) may spend.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Budget {
    pub daily: Option<Amount>,
    pub monthly: Option<Amount>,
}

impl Budget {
    pub fn is_empty(&self) -> bool {
        self.daily.is_none() && self.monthly.is_none()
    }

    /// The currency its amounts are in.
    pub fn currency(&self) -> Option<&str> {
        self.daily.as_ref().or(self.monthly.as_ref()).map(|a| a.currency.as_str())
    }
}

fn is_currency(code: &str) -> bool {
    code.len() == 3 && code.chars().all(|c| c.is_ascii_uppercase())
}

#[derive(Debug, Clone, PartialEq)]
pub enum Price {
    Free,
    Characters { currency: String, per_million: f64 },
    Tokens { currency: String, input_per_million: f64, output_per_million: f64 },
}

/// Characters per token, for costing what is not sent yet: the usual rule of thumb for the
/// languages news is written in (more for CJK, which makes the estimate a ceiling there).
const CHARS_PER_TOKEN: f64 = 4.0;

impl Price {
    /// `"25 USD / 1M chars"`, `"0.15 USD / 1M input tokens, 0.60 USD / 1M output tokens"`, `"0"`.
    pub fn parse(text: &str) -> Result<Price, String> {
        let text = text.trim();
        if text == "0" || text.eq_ignore_ascii_case("free") {
            return Ok(Price::Free);
        }
        let parts: Vec<(f64, String, String)> = text.split(',').map(rate).collect::<Result<_, _>>()?;
        match parts.as_slice() {
            [(amount, currency, unit)] if unit == "chars" => {
                Ok(Price::Characters { currency: currency.clone(), per_million: *amount })
            }
            [(input, currency, first), (output, other, second)]
                if first == "input tokens" && second == "output tokens" && currency == other =>
            {
                Ok(Price::Tokens { currency: currency.clone(), input_per_million: *input, output_per_million: *output })
            }
            _ => Err(format!(
                "price {text:?}: write \"25 USD / 1M chars\" or \"0.15 USD / 1M input tokens, 0.60 USD / 1M output tokens\""
            )),
        }
    }

    /// The list price of a kind of backend.
    pub fn of_kind(kind: &BackendKind) -> Price {
        let chars = |per_million: f64| Price::Characters { currency: "USD".into(), per_million };
        match kind {
            BackendKind::Deepl { .. } => chars(25.0),
            BackendKind::Google { .. } => chars(20.0),
            BackendKind::Azure { .. } => chars(10.0),
            BackendKind::OpenAi { .. } => {
                Price::Tokens { currency: "USD".into(), input_per_million: 0.15, output_per_million: 0.60 }
            }
            BackendKind::Apertium { .. }
            | BackendKind::ApertiumApy { .. }
            | BackendKind::LibreTranslate { .. }
            | BackendKind::Command { .. } => Price::Free,
        }
    }

    pub fn currency(&self) -> Option<&str> {
        match self {
            Price::Free => None,
            Price::Characters { currency, .. } | Price::Tokens { currency, .. } => Some(currency),
        }
    }

    /// What sending so many characters costs, in millionths, rounded up.
    pub fn micros(&self, chars: usize) -> i64 {
        (self.cost(chars) * 1e6).ceil() as i64
    }

    /// What sending so many characters costs; tokens are reckoned from characters, the answer as
    /// long as the question.
    pub fn cost(&self, chars: usize) -> f64 {
        match self {
            Price::Free => 0.0,
            Price::Characters { per_million, .. } => chars as f64 * per_million / 1e6,
            Price::Tokens { input_per_million, output_per_million, .. } => {
                chars as f64 / CHARS_PER_TOKEN * (input_per_million + output_per_million) / 1e6
            }
        }
    }
}

/// `25 USD / 1M chars` → (25, "USD", "chars").
fn rate(part: &str) -> Result<(f64, String, String), String> {
    let bad = || format!("price part {:?} is not like \"25 USD / 1M chars\"", part.trim());
    let (money, unit) = part.split_once('/').ok_or_else(bad)?;
    let mut money = money.split_whitespace();
    let amount: f64 =
        money.next().and_then(|a| a.parse().ok()).filter(|a: &f64| a.is_finite() && *a >= 0.0).ok_or_else(bad)?;
    let currency = money.next().filter(|c| is_currency(c)).ok_or_else(bad)?;
    if money.next().is_some() {
        return Err(bad());
    }
    let unit = unit.trim().strip_prefix("1M").ok_or_else(bad)?.trim();
    Ok((amount, currency.to_string(), unit.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_are_read_as_written_and_refused_otherwise() {
        assert_eq!(
            Price::parse("25 USD / 1M chars").unwrap(),
            Price::Characters { currency: "USD".into(), per_million: 25.0 }
        );
        let llm = Price::parse("0.15 USD / 1M input tokens, 0.60 USD / 1M output tokens").unwrap();
        assert_eq!(llm, Price::Tokens { currency: "USD".into(), input_per_million: 0.15, output_per_million: 0.60 });
        assert_eq!(Price::parse("0").unwrap(), Price::Free);
        for bad in [
            "25 dollars / 1M chars",
            "25 USD per char",
            "-1 USD / 1M chars",
            "1 USD / 1M words",
            "1 USD / 1M input tokens, 2 EUR / 1M output tokens",
        ] {
            assert!(Price::parse(bad).is_err(), "{bad}");
        }
        assert!((Price::parse("20 EUR / 1M chars").unwrap().cost(500_000) - 10.0).abs() < 1e-9);
        assert!((llm.cost(4_000_000) - 0.75).abs() < 1e-9, "a million tokens each way");
        assert_eq!(Amount::parse("20 USD").unwrap(), Amount { micros: 20_000_000, currency: "USD".into() });
        assert_eq!(Amount::parse("0.5 EUR").unwrap().to_string(), "0.50 EUR");
        assert!(Amount::parse("20").is_err() && Amount::parse("20 usd").is_err() && Amount::parse("-1 USD").is_err());
    }
}
