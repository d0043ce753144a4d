//! What HTML says about each element, as the parser needs it: which belong in the head, which
//! close an open paragraph, which bound a search for an open element, which are void, raw text,
//! dropped with their content or unwrapped, and which attributes are kept.

use memchr::memmem;

pub(super) fn is_head_content(name: &[u8]) -> bool {
    matches!(name, b"title" | b"meta" | b"link" | b"base" | b"basefont" | b"bgsound")
}

pub(super) fn is_heading(name: &[u8]) -> bool {
    matches!(name, b"h1" | b"h2" | b"h3" | b"h4" | b"h5" | b"h6")
}

/// Where a search for an open element stops (HTML's "in scope").
pub(super) fn is_scope_boundary(name: &[u8]) -> bool {
    matches!(name, b"html" | b"table" | b"td" | b"th" | b"caption" | b"marquee" | b"applet" | b"object" | b"template")
}

pub(super) fn is_table_boundary(name: &[u8]) -> bool {
    matches!(name, b"table" | b"tbody" | b"thead" | b"tfoot" | b"html" | b"template")
}

pub(super) fn is_formatting(name: &[u8]) -> bool {
    matches!(
        name,
        b"a" | b"b"
            | b"big"
            | b"code"
            | b"em"
            | b"font"
            | b"i"
            | b"nobr"
            | b"s"
            | b"small"
            | b"strike"
            | b"strong"
            | b"tt"
            | b"u"
    )
}

/// HTML's "special" elements: an end tag for another element does not close them.
pub(super) fn is_special(name: &[u8]) -> bool {
    matches!(
        name,
        b"address"
            | b"applet"
            | b"area"
            | b"article"
            | b"aside"
            | b"base"
            | b"blockquote"
            | b"body"
            | b"br"
            | b"caption"
            | b"center"
            | b"col"
            | b"colgroup"
            | b"dd"
            | b"details"
            | b"dir"
            | b"div"
            | b"dl"
            | b"dt"
            | b"fieldset"
            | b"figcaption"
            | b"figure"
            | b"footer"
            | b"form"
            | b"h1"
            | b"h2"
            | b"h3"
            | b"h4"
            | b"h5"
            | b"h6"
            | b"head"
            | b"header"
            | b"hgroup"
            | b"hr"
            | b"html"
            | b"img"
            | b"li"
            | b"link"
            | b"listing"
            | b"main"
            | b"marquee"
            | b"menu"
            | b"meta"
            | b"nav"
            | b"ol"
            | b"p"
            | b"pre"
            | b"search"
            | b"section"
            | b"summary"
            | b"table"
            | b"tbody"
            | b"td"
            | b"tfoot"
            | b"th"
            | b"thead"
            | b"title"
            | b"tr"
            | b"ul"
            | b"wbr"
            | b"xmp"
    )
}

/// Elements whose start closes an open `<p>`.
pub(super) fn closes_paragraph(name: &[u8]) -> bool {
    matches!(
        name,
        b"address"
            | b"article"
            | b"aside"
            | b"blockquote"
            | b"center"
            | b"details"
            | b"dialog"
            | b"dir"
            | b"div"
            | b"dl"
            | b"dd"
            | b"dt"
            | b"fieldset"
            | b"figcaption"
            | b"figure"
            | b"footer"
            | b"form"
            | b"h1"
            | b"h2"
            | b"h3"
            | b"h4"
            | b"h5"
            | b"h6"
            | b"header"
            | b"hgroup"
            | b"hr"
            | b"li"
            | b"listing"
            | b"main"
            | b"menu"
            | b"nav"
            | b"ol"
            | b"p"
            | b"pre"
            | b"search"
            | b"section"
            | b"summary"
            | b"table"
            | b"ul"
            | b"xmp"
            | b"plaintext"
    )
}

/// Elements dropped with everything inside them. Only elements whose end tag is never left out
/// in practice: a dropped element left open would swallow the rest of the page.
pub(super) fn is_dropped(name: &[u8]) -> bool {
    matches!(
        name,
        b"script"
            | b"style"
            | b"svg"
            | b"math"
            | b"rt"
            | b"rp"
            | b"noscript"
            | b"template"
            | b"iframe"
            | b"object"
            | b"select"
            | b"textarea"
            | b"noembed"
            | b"noframes"
    )
}

/// Dropped elements whose end tag is implied by what follows them: SVG and MathML (ended by
/// HTML's own elements), a ruby's pronunciation (ended by the ruby's end).
pub(super) fn is_foreign(name: &[u8]) -> bool {
    matches!(name, b"svg" | b"math" | b"rt" | b"rp")
}

/// HTML start tags that end foreign content left open (the HTML standard's list).
pub(super) fn breaks_out_of_foreign(name: &[u8]) -> bool {
    is_heading(name)
        || matches!(
            name,
            b"b" | b"big"
                | b"blockquote"
                | b"body"
                | b"br"
                | b"center"
                | b"code"
                | b"dd"
                | b"div"
                | b"dl"
                | b"dt"
                | b"em"
                | b"embed"
                | b"head"
                | b"hr"
                | b"i"
                | b"img"
                | b"li"
                | b"listing"
                | b"menu"
                | b"meta"
                | b"nobr"
                | b"ol"
                | b"p"
                | b"pre"
                | b"ruby"
                | b"s"
                | b"small"
                | b"span"
                | b"strike"
                | b"strong"
                | b"sub"
                | b"sup"
                | b"table"
                | b"tt"
                | b"u"
                | b"ul"
                | b"var"
        )
}

/// Elements whose content is raw text up to their end tag.
pub(super) fn is_raw_text(name: &[u8]) -> bool {
    matches!(
        name,
        b"script" | b"style" | b"noscript" | b"iframe" | b"textarea" | b"title" | b"xmp" | b"noembed" | b"noframes"
    )
}

/// Elements whose tags are dropped but whose content stays (media fallbacks, controls): their end
/// tag is often missing, or swallowed by a broken start tag.
pub(super) fn is_unwrapped(name: &[u8]) -> bool {
    matches!(
        name,
        b"video" | b"audio" | b"canvas" | b"map" | b"dialog" | b"button" | b"embed" | b"source" | b"track" | b"picture"
    )
}

pub(super) fn is_void(name: &[u8]) -> bool {
    matches!(
        name,
        b"area" | b"base" | b"br" | b"col" | b"embed" | b"hr" | b"img" | b"input" | b"link" | b"meta" | b"wbr"
    )
}

/// The attributes the cleaner reads; the rest (data blobs, srcset, handlers) never reach the parser.
pub(super) fn is_kept_attribute(name: &[u8]) -> bool {
    matches!(
        name,
        b"class"
            | b"id"
            | b"role"
            | b"hidden"
            | b"aria-hidden"
            | b"style"
            | b"itemprop"
            | b"src"
            | b"data-src"
            | b"width"
            | b"height"
            | b"alt"
            | b"translate"
            | b"href"
            | b"lang"
            | b"property"
            | b"name"
            | b"content"
            | b"rel"
            | b"datetime"
            | b"type"
            | b"charset"
            | b"colspan"
            | b"rowspan"
    )
}

pub(super) fn is_preformatted(name: &[u8]) -> bool {
    matches!(name, b"pre" | b"listing" | b"xmp" | b"plaintext")
}

/// A `style` worth keeping: one that hides the element.
pub(super) fn hides(style: &[u8]) -> bool {
    let style = style.to_ascii_lowercase();
    memmem::find(&style, b"none").is_some() || memmem::find(&style, b"hidden").is_some()
}
