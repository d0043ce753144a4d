//! Dates written in figures, in the partner's locale's order: `25/12/2026` from a Spanish
//! original becomes `12/25/2026` for en-US and `25.12.2026` for de. A date is rewritten only when
//! its reading cannot be in doubt (an ISO date, or a day past 12) and the engine copied it
//! unchanged from the original; the year keeps the digits it was written with.

/// A CLDR short date pattern's fields, in order, with what stands between them.
#[derive(Debug)]
pub struct DateOrder {
    fields: Vec<Field>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Field {
    Day { padded: bool },
    Month { padded: bool },
    Year,
    Literal(char),
}

struct Date<'a> {
    day: u32,
    month: u32,
    year: &'a str,
}

impl DateOrder {
    /// `d/M/yy`, `dd.MM.y`, `y-MM-dd`; none for a pattern with other fields or quoted text.
    pub fn new(pattern: &str) -> Option<DateOrder> {
        let mut fields = Vec::new();
        let chars: Vec<char> = pattern.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            let run = chars[i..].iter().take_while(|&&x| x == c).count();
            fields.push(match c {
                'd' => Field::Day { padded: run > 1 },
                'M' => Field::Month { padded: run > 1 },
                'y' => Field::Year,
                c if !c.is_alphanumeric() && c != '\'' && run == 1 => Field::Literal(c),
                _ => return None,
            });
            i += run;
        }
        let count = |f: fn(&Field) -> bool| fields.iter().filter(|x| f(x)).count();
        let complete = count(|f| matches!(f, Field::Day { .. })) == 1
            && count(|f| matches!(f, Field::Month { .. })) == 1
            && count(|f| matches!(f, Field::Year)) == 1;
        complete.then_some(DateOrder { fields })
    }

    fn order(&self) -> Vec<Field> {
        let kind = |f: &Field| match f {
            Field::Day { .. } => Field::Day { padded: false },
            Field::Month { .. } => Field::Month { padded: false },
            other => *other,
        };
        self.fields.iter().filter(|f| !matches!(f, Field::Literal(_))).map(kind).collect()
    }

    /// `text` with each date the original wrote the same way written in this order.
    pub fn restyle(&self, text: &str, original: &str, source: &DateOrder) -> String {
        let chars: Vec<char> = text.chars().collect();
        let mut out = String::with_capacity(text.len());
        let mut i = 0;
        while i < chars.len() {
            let starts = chars[i].is_ascii_digit() && (i == 0 || !is_attached(chars[i - 1]));
            let found = starts.then(|| date_at(&chars, i)).flatten();
            let Some(end) = found else {
                out.push(chars[i]);
                i += 1;
                continue;
            };
            let token: String = chars[i..end].iter().collect();
            match read(&token, source).filter(|_| original.contains(&token)) {
                Some(date) => out.push_str(&self.write(&date)),
                None => out.push_str(&token),
            }
            i = end;
        }
        out
    }

    fn write(&self, date: &Date) -> String {
        let mut out = String::new();
        for field in &self.fields {
            match *field {
                Field::Day { padded: true } => out.push_str(&format!("{:02}", date.day)),
                Field::Day { padded: false } => out.push_str(&date.day.to_string()),
                Field::Month { padded: true } => out.push_str(&format!("{:02}", date.month)),
                Field::Month { padded: false } => out.push_str(&date.month.to_string()),
                Field::Year => out.push_str(date.year),
                Field::Literal(c) => out.push(c),
            }
        }
        out
    }
}

/// Three groups of digits joined by the same `/`, `.` or `-`, standing apart from other text.
fn date_at(chars: &[char], i: usize) -> Option<usize> {
    let mut end = i;
    let mut separator = None;
    let mut groups = 0;
    loop {
        let digits = chars[end..].iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 || digits > 4 {
            return None;
        }
        end += digits;
        groups += 1;
        if groups == 3 {
            break;
        }
        let c = *chars.get(end)?;
        if !matches!(c, '/' | '.' | '-') || separator.is_some_and(|s| s != c) {
            return None;
        }
        separator = Some(c);
        end += 1;
    }
    let next = chars.get(end);
    let touches = next.is_some_and(|&c| c.is_alphanumeric() || matches!(c, '/' | ':'))
        || (next.is_some_and(|&c| matches!(c, '.' | '-' | ','))
            && chars.get(end + 1).is_some_and(char::is_ascii_digit));
    (!touches).then_some(end)
}

fn is_attached(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '/' | '-' | '.' | ',' | ':')
}

/// A date the source order reads one way only: an ISO date, or one whose day is past 12.
fn read<'a>(token: &'a str, source: &DateOrder) -> Option<Date<'a>> {
    let parts: Vec<&str> = token.split(['/', '.', '-']).collect();
    let number = |s: &str| s.parse::<u32>().ok();
    let date = if parts[0].len() == 4 && token.contains('-') {
        Date { year: parts[0], month: number(parts[1])?, day: number(parts[2])? }
    } else {
        let order = source.order();
        let at = |wanted: Field| order.iter().position(|f| *f == wanted);
        let (d, m, y) = (at(Field::Day { padded: false })?, at(Field::Month { padded: false })?, at(Field::Year)?);
        let date = Date { day: number(parts[d])?, month: number(parts[m])?, year: parts[y] };
        if date.day <= 12 || !matches!(date.year.len(), 2 | 4) || parts[d].len() > 2 || parts[m].len() > 2 {
            return None;
        }
        date
    };
    ((1..=12).contains(&date.month) && (1..=31).contains(&date.day)).then_some(date)
}
