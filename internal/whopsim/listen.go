package whopsim

import (
	"context"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Listen serves a new Server for cfg on 127.0.0.1 at a free port. url is
// the API base, such as "http://127.0.0.1:PORT/api/v1" (Current) or
// ".../api/v2"; shutdown stops it.
func Listen(cfg Config) (url string, shutdown func(), err error) {
	if _, err := cfg.withDefaults(); err != nil {
		return "", nil, err
	}
	return New(cfg).Listen()
}

// Listen serves s on 127.0.0.1 at a free port; see the function Listen.
func (s *Server) Listen() (url string, shutdown func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	shutdown = sync.OnceFunc(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if srv.Shutdown(ctx) != nil {
			srv.Close()
		}
	})
	return "http://" + ln.Addr().String() + strings.TrimSuffix(s.api.prefix(), "/"), shutdown, nil
}
