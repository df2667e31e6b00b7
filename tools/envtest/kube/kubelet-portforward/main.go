// Command kubelet-portforward is the one piece of a kubelet that the workload-cluster
// simulator (tools/workload-sim) needs: the kubelet's port-forward endpoint, served by
// the kubelet's own streaming code (k8s.io/kubelet/pkg/cri/streaming/portforward), so
// the kube-apiserver's pods/portforward reaches it exactly as it reaches a real kubelet.
// Every pod on a simulated node is a host-network static pod (etcd, kube-apiserver,
// ...), so a forwarded port is dialled on the node's own address.
package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"flag"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/types"
	"k8s.io/kubelet/pkg/cri/streaming/portforward"
)

type hostNetworkForwarder struct{ nodeIP string }

func (f hostNetworkForwarder) PortForward(ctx context.Context, pod string, _ types.UID, port int32, stream io.ReadWriteCloser) error {
	defer stream.Close()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", net.JoinHostPort(f.nodeIP, fmt.Sprint(port)))
	if err != nil {
		return fmt.Errorf("pod %s port %d: %w", pod, port, err)
	}
	defer conn.Close()
	done := make(chan struct{}, 2)
	go func() { _, _ = io.Copy(conn, stream); done <- struct{}{} }()
	go func() { _, _ = io.Copy(stream, conn); done <- struct{}{} }()
	<-done
	return nil
}

// A throwaway serving certificate: the API server does not verify kubelet certificates
// unless started with --kubelet-certificate-authority.
func servingCertificate(ip string) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	template := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: "kubelet"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(365 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.ParseIP(ip)},
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}

func main() {
	nodeIP := flag.String("node-ip", "127.0.0.1", "the node's address: listen here and dial forwarded ports here")
	port := flag.Int("port", 10250, "kubelet port")
	flag.Parse()

	cert, err := servingCertificate(*nodeIP)
	if err != nil {
		log.Fatal(err)
	}
	forwarder := hostNetworkForwarder{nodeIP: *nodeIP}
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok") })
	// /portForward/{namespace}/{pod} and /portForward/{namespace}/{pod}/{uid}, as the kubelet routes them.
	mux.HandleFunc("/portForward/", func(w http.ResponseWriter, req *http.Request) {
		parts := strings.Split(strings.TrimPrefix(req.URL.Path, "/portForward/"), "/")
		if len(parts) < 2 {
			http.Error(w, "want /portForward/<namespace>/<pod>", http.StatusNotFound)
			return
		}
		pod := parts[0] + "/" + parts[1]
		var uid types.UID
		if len(parts) > 2 {
			uid = types.UID(parts[2])
		}
		options, err := portforward.NewV4Options(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		log.Printf("port-forward %s", pod)
		portforward.ServePortForward(w, req, forwarder, pod, uid, options,
			4*time.Hour, 30*time.Second, portforward.SupportedProtocols)
	})
	server := &http.Server{
		Addr:      net.JoinHostPort(*nodeIP, fmt.Sprint(*port)),
		Handler:   mux,
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
	}
	log.Printf("kubelet-portforward listening on https://%s", server.Addr)
	log.Fatal(server.ListenAndServeTLS("", ""))
}
