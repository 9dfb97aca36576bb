package handlers

import (
	"bytes"
	"fmt"
	"net/http"
	"sync"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"
)

// render writes a templ component with status. It renders into a buffer first,
// so that a failing component becomes a clean error page instead of half a
// page with a 200.
func render(c echo.Context, status int, component templ.Component) error {
	buf := pages.Get().(*bytes.Buffer)
	defer putPage(buf)
	if err := component.Render(c.Request().Context(), buf); err != nil {
		return fmt.Errorf("render %s: %w", c.Path(), err)
	}
	return c.Blob(status, echo.MIMETextHTMLCharsetUTF8, buf.Bytes())
}

// pages are buffers of rendered pages, used again: a page of the survey is
// 10–20 KB, which a new buffer would grow to in ten steps, copying as it
// goes, on every request.
var pages = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// putPage returns buf to pages, unless an unusually large page (a long
// list) grew it: the pool would keep that much memory for every page.
func putPage(buf *bytes.Buffer) {
	if buf.Cap() > 256<<10 {
		return
	}
	buf.Reset()
	pages.Put(buf)
}

// redirect answers a successful POST with 303 See Other.
func redirect(c echo.Context, to string) error {
	return c.Redirect(http.StatusSeeOther, to)
}
