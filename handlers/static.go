package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/icare-hr/icare/static"
)

// staticHandler serves the embedded files under /static/ with a day of caching.
func staticHandler() echo.HandlerFunc {
	fs := http.StripPrefix("/static/", http.FileServer(http.FS(static.Files)))
	return func(c echo.Context) error {
		c.Response().Header().Set("Cache-Control", "public, max-age=86400")
		fs.ServeHTTP(c.Response(), c.Request())
		return nil
	}
}
