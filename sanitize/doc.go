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
//     scripts need them; Codepoint mode removes ZWJ, see Width), and tag
//     characters stay only inside a flag sequence that starts with
//     U+1F3F4.
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
// Widths depend on the terminal: most emulators (and lipgloss,
// charmbracelet/x/ansi and Bubble Tea's renderer) count a grapheme
// cluster as one character, while tmux and GNU screen count every code
// point by its wcwidth and sum them, so a ZWJ family is two cells to the
// one and eight to the other. A WidthMode says which count to use:
// Grapheme (the default) or Codepoint, and Auto, which DetectWidthMode
// resolves from the environment (Codepoint inside tmux or screen). Every
// function that measures, cuts or prepares text exists as a method of
// WidthMode; the package-level ones use the process-wide mode set once at
// start with SetWidthMode. A process that serves several terminals (pobox
// serve) keeps one WidthMode per session and calls its methods.
//
// Whatever the mode, no line pobox lays out may be wider than the
// terminal counts it. Width and Truncate measure in the mode's way, Cut
// cuts a styled line of the frame in it (use it in place of
// ansi.Truncate), and in Codepoint mode Text and Line (and so HTML,
// Linkify, Links and Truncate) also normalise the text so that lipgloss
// never counts it wider than tmux draws it, or Bubble Tea's renderer
// would cut lines itself and leave stale cells behind:
//
//   - ZWJ is removed, so an emoji sequence shows as its parts: tmux 3.3
//     draws what follows a ZWJ in the same cell, older tmux and screen do
//     not, and lipgloss counts the sequence as one emoji.
//   - Variation selectors 15 and 16 are removed (lipgloss widens "❤" with
//     VS16 to two cells, tmux does not), and so are emoji modifiers (skin
//     tones, two more cells to tmux).
//   - A regional indicator that is not half of a flag, a Hangul vowel or
//     final jamo that joins no syllable, characters unknown to older C
//     libraries (unassigned, or added in Unicode 15.0, which tmux drops)
//     and characters whose width changed between Unicode versions become
//     U+FFFD.
//
// The result is as wide to lipgloss as to tmux, except in scripts whose
// clusters hold several cells (Devanagari vowel signs and conjuncts): there
// lipgloss counts fewer, never more, and Cut keeps such lines inside the
// terminal. TestTmuxWidths and TestScreenWidths measure the cases against
// a real tmux and GNU screen. Text prepared in Codepoint mode fits in
// every terminal; an unresolved Auto behaves as Codepoint for that reason.
//
// In Grapheme mode Width and Truncate measure grapheme clusters exactly
// as lipgloss and charmbracelet/x/ansi do, so a string cut by Truncate
// fits the cells that lipgloss lays out for it.
//
// # Using it
//
// At start, the configured mode (ParseWidthMode of "auto", "grapheme" or
// "codepoint") is resolved and set: SetWidthMode(mode), which resolves
// Auto with the process's environment; from then on the package-level
// functions follow it. pobox serve resolves it per session instead,
// mode.Resolve(getenv) with the session's environment and pty TERM, and
// the session's views call the methods of the same names: mode.Text,
// mode.Line, mode.Width, mode.Truncate, mode.Cut, mode.HTML,
// mode.Linkify, mode.Links and mode.Hyperlink. Either way:
//
//   - untrusted text is measured only with Width and cut only with
//     Truncate (never lipgloss.Width or Style.Width on it, which count
//     per grapheme), and
//   - every line of the frame goes through Cut(line, width) before Bubble
//     Tea sees it, in place of ansi.Truncate; so does anything else cut
//     with ansi.Truncate, such as a help line.
//
// # Links and HTML
//
// SafeURL accepts only http and https URLs with a host and returns them in
// a pure-ASCII normal form; Hyperlink and WrapHyperlink emit OSC 8
// hyperlinks only for such URLs, with the URL's bytes as they are (a ';'
// in the URI is legal; nothing in the normal form can end the sequence).
// HTML renders the Pushover subset (b, i, u, font color, a href, br) and
// the line structure of blocks and lists into a neutral []Span that the UI
// styles with its theme; Linkify finds URLs in plain text. A link whose
// text does not show exactly where it leads ("https://bank.example/" to
// evil.example, "click here", an international name) carries the real
// host in the HostHint of its last span, for the UI to show beside it
// (LinkHost decides). Links lists every link of a message, the
// supplementary URL first, for a picker.
package sanitize
