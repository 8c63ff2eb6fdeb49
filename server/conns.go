package main

import (
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// shedEvery is how often a full listener asks again for idle connections
// to be closed while it waits for a slot.
const shedEvery = 100 * time.Millisecond

// limitListener caps the connections open at once, as
// golang.org/x/net/netutil.LimitListener does, and adds what that one
// lacks: when the cap is reached it first asks the server to close its
// idle keep-alive connections (shed), so that thousands of idle clients
// cannot hold every slot while a real request waits. Accept then waits
// for a slot; the kernel's backlog holds the new connections meanwhile.
type limitListener struct {
	net.Listener
	slots chan struct{}
	shed  func()
	done  chan struct{}
	close sync.Once
	open  atomic.Int64
	peak  atomic.Int64 // most connections open at once (tests, load report)
}

func newLimitListener(l net.Listener, max int, shed func()) *limitListener {
	return &limitListener{Listener: l, slots: make(chan struct{}, max), shed: shed, done: make(chan struct{})}
}

// Close closes the listener and ends an Accept waiting for a slot.
func (l *limitListener) Close() error {
	l.close.Do(func() { close(l.done) })
	return l.Listener.Close()
}

// acquire takes a slot, shedding idle connections while there is none.
func (l *limitListener) acquire() error {
	select {
	case l.slots <- struct{}{}:
		return nil
	default:
	}
	t := time.NewTicker(shedEvery)
	defer t.Stop()
	for {
		if l.shed != nil {
			l.shed()
		}
		select {
		case l.slots <- struct{}{}:
			return nil
		case <-l.done:
			return net.ErrClosed
		case <-t.C:
		}
	}
}

func (l *limitListener) Accept() (net.Conn, error) {
	if err := l.acquire(); err != nil {
		return nil, err
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.slots
		return nil, err
	}
	n := l.open.Add(1)
	for p := l.peak.Load(); n > p && !l.peak.CompareAndSwap(p, n); p = l.peak.Load() {
	}
	return &limitConn{Conn: c, l: l}, nil
}

type limitConn struct {
	net.Conn
	l    *limitListener
	once sync.Once
}

func (c *limitConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() {
		c.l.open.Add(-1)
		<-c.l.slots
	})
	return err
}
