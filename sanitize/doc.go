// Package sanitize is the one gate between untrusted text (titles, bodies,
// app names and URLs written by strangers) and the terminal. Every view of
// pobox prints message text through it; nothing else may write such text.
//
// # Policy
//
// Text and Line keep printable text and drop everything that could change
// the terminal's state or mislead the reader:
//
//   - Escape sequences are removed whole, parameters and payload included:
//     CSI (ESC [ or 8-bit 0x9B), OSC (ESC ] or 0x9D, ended by BEL or ST),
//     DCS, SOS, PM and APC strings (ended by ST = ESC \ or 0x9C), two-byte
//     escapes such as SS2/SS3 (ESC N, ESC O) and a bare ESC. The parser
//     follows the DEC/ECMA-48 state machine that terminals use: CAN and SUB
//     abort a sequence, ESC inside a string ends it and starts a new escape,
//     and an unterminated string swallows the rest of the input, just as a
//     terminal would. The 8-bit forms are recognised both as raw bytes and
//     as UTF-8 encoded U+0080..U+009F.
//   - Every other C0 control, DEL and C1 control is removed, except newline
//     and tab. A carriage return never moves the cursor: CR LF becomes LF
//     and a lone CR becomes LF. NEL (U+0085), LINE SEPARATOR and PARAGRAPH
//     SEPARATOR become LF.
//   - Invisible format characters (Unicode category Cf) are removed: the
//     bidirectional embeddings, overrides, isolates and marks (U+202A..E,
//     U+2066..9, U+200E/F, U+061C), zero-width space, word joiner, BOM,
//     soft hyphen and the like. ZWJ and ZWNJ stay (emoji sequences and
//     scripts need them), and tag characters stay only inside a flag
//     sequence that starts with U+1F3F4.
//   - Invisible fillers are removed: characters that are no format
//     characters but draw nothing or a blank cell while counting as
//     letters or symbols (HANGUL FILLER U+3164, HANGUL CHOSEONG and
//     JUNGSEONG FILLER U+115F/U+1160, HALFWIDTH HANGUL FILLER U+FFA0,
//     BRAILLE PATTERN BLANK U+2800, KHMER VOWEL INHERENT AQ/AA U+17B4/5,
//     COMBINING GRAPHEME JOINER U+034F, KHITAN SMALL SCRIPT FILLER
//     U+16FE4). They are how "empty" titles and fake spacing are made; no
//     running text needs them. Real spaces (Zs) stay.
//   - A combining mark with no base character (at the start of the text or
//     right after a newline or tab) is removed, so it cannot stack on a
//     border or a neighbouring cell.
//   - At most MaxMarks (4) combining marks (Mn, Me, Mc) stay on one base
//     character; the rest of a "Zalgo" stack is removed. Joiners between
//     the marks do not restart the count. Vietnamese, Thai, Devanagari,
//     Arabic and pointed Hebrew need two to four.
//   - Invalid UTF-8 becomes U+FFFD.
//
// Removal was chosen over visible placeholders so that messages coloured by
// scripts (for example log lines with SGR codes) stay readable; nothing of
// a removed sequence reaches the screen, so it cannot act either.
//
// Line applies the same rules for one-line contexts (list rows, status
// bar): newlines and tabs become spaces, runs of spaces collapse to one and
// the ends are trimmed.
//
// Both are idempotent, return their argument unchanged (without
// allocating) when it is already clean, and take a fast path for plain
// ASCII.
//
// # Width
//
// Width and Truncate measure grapheme clusters exactly as lipgloss and
// charmbracelet/x/ansi do, so a string cut by Truncate fits the cells that
// lipgloss lays out for it.
//
// # Links and HTML
//
// SafeURL accepts only http and https URLs with a host and returns them in
// a pure-ASCII normal form; Hyperlink and WrapHyperlink emit OSC 8
// hyperlinks only for such URLs. HTML renders the Pushover subset (b, i, u,
// font color, a href, br) into a neutral []Span that the UI styles with its
// theme; Linkify finds URLs in plain text.
package sanitize
