package serve

import "io"

// controlFilter passes text to a client's terminal without anything that
// could steer it. Escape sequences are dropped whole (CSI up to its final
// byte, OSC, DCS, SOS, PM and APC up to their terminator, any other ESC
// with the byte after it); of the other C0 controls only tab and newline
// go through (carriage returns too are dropped: the session adds them
// where the terminal needs them); DEL and the C1 controls (U+0080 to
// U+009F, which some terminals obey in UTF-8) are dropped. The verbs'
// output is sanitised already (package sanitize, through cli); this is
// the last gate, so that no byte from the cache reaches a terminal
// unchecked. It keeps its state across writes: a sequence split between
// two writes is still dropped whole.
type controlFilter struct {
	w     io.Writer
	state filterState
	buf   []byte
}

type filterState uint8

const (
	fText      filterState = iota
	fC2                    // after 0xC2, the lead byte of a C1 control
	fEsc                   // after ESC
	fCSI                   // in a control sequence
	fString                // in an OSC, DCS, SOS, PM or APC string
	fStringEsc             // after ESC in such a string
)

func newControlFilter(w io.Writer) *controlFilter { return &controlFilter{w: w} }

// Write implements io.Writer. It reports len(p) when every byte was
// either written or dropped.
func (f *controlFilter) Write(p []byte) (int, error) {
	out := f.buf[:0]
	for _, c := range p {
		switch f.state {
		case fEsc:
			switch c {
			case '[':
				f.state = fCSI
			case ']', 'P', 'X', '^', '_':
				f.state = fString
			default:
				f.state = fText
			}
			continue
		case fCSI:
			if c >= 0x40 && c <= 0x7e {
				f.state = fText
			}
			continue
		case fString:
			switch c {
			case 0x07:
				f.state = fText
			case 0x1b:
				f.state = fStringEsc
			}
			continue
		case fStringEsc:
			f.state = fString
			if c == '\\' {
				f.state = fText
			}
			continue
		case fC2:
			f.state = fText
			if c >= 0x80 && c <= 0x9f {
				continue // a C1 control: U+0080..U+009F
			}
			out = append(out, 0xc2)
		}
		switch {
		case c == 0x1b:
			f.state = fEsc
		case c == 0xc2:
			f.state = fC2
		case c == '\t' || c == '\n':
			out = append(out, c)
		case c < 0x20 || c == 0x7f:
			// The other C0 controls, and DEL.
		default:
			out = append(out, c)
		}
	}
	f.buf = out
	if len(out) == 0 {
		return len(p), nil
	}
	if _, err := f.w.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}
