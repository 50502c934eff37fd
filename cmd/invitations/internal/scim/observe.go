package scim

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"
)

// requestNote is what a request's handling tells its log line: the
// userName of the user it wrote, and the cause of a 500.
type requestNote struct {
	userName string
	err      error
}

type noteKey struct{}

// noteFrom returns the request's note; a context without one (a handler
// called outside ServeHTTP) gets a note nobody reads.
func noteFrom(ctx context.Context) *requestNote {
	if n, ok := ctx.Value(noteKey{}).(*requestNote); ok {
		return n
	}
	return &requestNote{}
}

// recorder remembers the status a response was written with.
type recorder struct {
	http.ResponseWriter
	status int
}

func (w *recorder) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *recorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap gives http.ResponseController the writer underneath.
func (w *recorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// begin starts a request: its recorder, the request with its note, and
// the func to defer, which answers a panic with a 500, then calls the
// observer and logs the request's line. The line has the method, the
// path (ids, never the query, whose filter may hold a person's
// attributes), the status, the duration, for a write to a user its
// userName, and the cause of a 500; never a header.
func (h *handler) begin(w http.ResponseWriter, r *http.Request) (*recorder, *http.Request, func()) {
	start := time.Now()
	rec := &recorder{ResponseWriter: w}
	note := &requestNote{}
	r = r.WithContext(context.WithValue(r.Context(), noteKey{}, note))
	return rec, r, func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			note.err = fmt.Errorf("panic: %v", p)
			if rec.status == 0 {
				writeError(rec, &internalError)
			}
		}
		status := rec.status
		if status == 0 {
			status = http.StatusOK
		}
		elapsed := time.Since(start)
		h.cfg.observer(r.Method, status, elapsed)
		attrs := []slog.Attr{
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.Int("status", status),
			slog.Duration("duration", elapsed),
		}
		if note.userName != "" {
			attrs = append(attrs, slog.String("userName", note.userName))
		}
		level := slog.LevelInfo
		if status >= http.StatusInternalServerError {
			level = slog.LevelError
			if note.err != nil {
				attrs = append(attrs, slog.String("error", note.err.Error()))
			}
		}
		h.cfg.logger.LogAttrs(r.Context(), level, "scim request", attrs...)
	}
}

// libraryLogger logs what the library reports going wrong (a response it
// could not encode or write): its message and errors, never the
// resource it passes along with them.
type libraryLogger struct{ h *handler }

func (l libraryLogger) Error(args ...any) {
	var attrs []slog.Attr
	msg := "scim library error"
	for i, a := range args {
		switch v := a.(type) {
		case string:
			if i == 0 {
				msg = v
			}
		case error:
			var se scimError
			if !errors.As(v, &se) {
				attrs = append(attrs, slog.String("error", v.Error()))
			}
		}
	}
	l.h.cfg.logger.LogAttrs(context.Background(), slog.LevelError, msg, attrs...)
}
