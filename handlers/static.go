package handlers

import (
	"io/fs"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/icare-hr/icare/static"
)

// staticHandler serves the embedded files under /static/ with a day of
// caching. It serves files only: a directory is not found, never listed.
func staticHandler() echo.HandlerFunc {
	files := http.StripPrefix("/static/", http.FileServer(http.FS(static.Files)))
	return func(c echo.Context) error {
		if st, err := fs.Stat(static.Files, c.Param("*")); err != nil || st.IsDir() {
			return echo.ErrNotFound
		}
		c.Response().Header().Set("Cache-Control", "public, max-age=86400")
		files.ServeHTTP(c.Response(), c.Request())
		return nil
	}
}

// robots is GET /robots.txt: nothing here is for search engines (every
// answer says so in X-Robots-Tag too).
func robots(c echo.Context) error {
	return c.String(http.StatusOK, "User-agent: *\nDisallow: /\n")
}
