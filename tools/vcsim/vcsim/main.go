// Command vcsim is govmomi's vCenter simulator (vim25 SOAP only), built from
// the pinned govmomi module for the vSphere provider's tests.
//
// Since govmomi v0.47 the upstream vcsim command is a sub-module with a
// `replace ../` directive that the Go module proxy cannot serve, so this is our
// own small main over govmomi's simulator package. Its flags follow upstream's
// names where they overlap (-l, -E, -dc, -cluster, -host, -ds, -vm, ...); what
// it adds is for tests:
//
//   - -username/-password: only these credentials log in (upstream's default
//     accepts any non-empty pair, so a wrong password could not be tested).
//   - -method-delay/-task-delay: "Name:ms,Name:ms" delays for SOAP methods and
//     for tasks (the simulator's task names: CloneVm, ReconfigVm, Destroy), so a test
//     can watch a task run.
//   - -exit-on-stdin-eof: exit when stdin closes, so a test runner that dies
//     without cleaning up leaves no simulator behind.
//
// On start it prints one line on stdout (or into the -E file):
//
//	export GOVC_URL=https://user:pass@127.0.0.1:PORT/sdk GOVC_SIM_PID=PID
package main

import (
	"crypto/tls"
	"flag"
	"fmt"
	"io"
	"log"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"github.com/vmware/govmomi/simulator"
)

func parseDelays(spec string) (map[string]int, error) {
	delays := map[string]int{}
	if spec == "" {
		return delays, nil
	}
	for _, item := range strings.Split(spec, ",") {
		name, ms, ok := strings.Cut(strings.TrimSpace(item), ":")
		if !ok {
			return nil, fmt.Errorf("delay %q is not Name:milliseconds", item)
		}
		n, err := strconv.Atoi(ms)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("delay %q: %q is not a number of milliseconds", item, ms)
		}
		delays[name] = n
	}
	return delays, nil
}

func main() {
	model := simulator.VPX()

	flag.IntVar(&model.Datacenter, "dc", model.Datacenter, "Number of datacenters")
	flag.IntVar(&model.Cluster, "cluster", model.Cluster, "Number of clusters per datacenter")
	flag.IntVar(&model.ClusterHost, "host", model.ClusterHost, "Number of hosts per cluster")
	flag.IntVar(&model.Host, "standalone-host", model.Host, "Number of standalone hosts per datacenter")
	flag.IntVar(&model.Datastore, "ds", model.Datastore, "Number of local datastores")
	flag.IntVar(&model.Machine, "vm", model.Machine, "Number of virtual machines per resource pool")
	flag.IntVar(&model.Pool, "pool", model.Pool, "Number of resource pools per compute resource")
	flag.IntVar(&model.App, "app", model.App, "Number of virtual apps per compute resource")
	flag.IntVar(&model.Pod, "pod", model.Pod, "Number of storage pods per datacenter")
	flag.IntVar(&model.Portgroup, "pg", model.Portgroup, "Number of port groups")
	flag.IntVar(&model.Folder, "folder", model.Folder, "Number of folders")
	flag.BoolVar(&model.Autostart, "autostart", model.Autostart, "Power on the VMs the model creates")

	listen := flag.String("l", "127.0.0.1:0", "Listen address (port 0 picks a free port)")
	useTLS := flag.Bool("tls", true, "Serve https")
	cert := flag.String("tlscert", "", "Path to a PEM TLS certificate (a self-signed one is generated when empty)")
	key := flag.String("tlskey", "", "Path to the PEM key of -tlscert")
	env := flag.String("E", "-", "Write the GOVC_URL line to this file instead of stdout")
	username := flag.String("username", "", "The only user name that logs in (any non-empty pair when empty)")
	password := flag.String("password", "", "The password of -username")
	methodDelay := flag.String("method-delay", "", "Name:ms,... delays for SOAP methods, e.g. RetrievePropertiesEx:100")
	taskDelay := flag.String("task-delay", "", "Name:ms,... delays for tasks, e.g. CloneVm:1500,ReconfigVm:500")
	exitOnEOF := flag.Bool("exit-on-stdin-eof", false, "Exit when stdin reaches end of file")
	flag.BoolVar(&simulator.Trace, "trace", simulator.Trace, "Trace SOAP to stderr")
	flag.Parse()

	delays, err := parseDelays(*methodDelay)
	if err != nil {
		log.Fatal(err)
	}
	model.DelayConfig.MethodDelay = delays
	tasks, err := parseDelays(*taskDelay)
	if err != nil {
		log.Fatal(err)
	}
	if len(tasks) > 0 {
		// Without this the simulator holds the entity's lock while the task sleeps,
		// and a PropertyCollector read of the task's entity waits for the task.
		tasks["LockHandoff"] = 0
		simulator.TaskDelay.MethodDelay = tasks
	}

	model.ServiceContent.About.Name += " (govmomi simulator)"
	if err := model.Create(); err != nil {
		log.Fatal(err)
	}

	model.Service.Listen = &url.URL{Host: *listen}
	if *username != "" {
		model.Service.Listen.User = url.UserPassword(*username, *password)
	}
	if *useTLS {
		model.Service.TLS = new(tls.Config)
		if *cert != "" {
			pair, err := tls.LoadX509KeyPair(*cert, *key)
			if err != nil {
				log.Fatal(err)
			}
			model.Service.TLS.Certificates = []tls.Certificate{pair}
		}
	}

	server := model.Service.NewServer()
	line := fmt.Sprintf("export GOVC_URL=%s GOVC_SIM_PID=%d\n", server.URL, os.Getpid())
	if *env == "-" {
		fmt.Print(line)
	} else if err := os.WriteFile(*env, []byte(line), 0o600); err != nil {
		log.Fatal(err)
	}

	done := make(chan os.Signal, 1)
	signal.Notify(done, syscall.SIGINT, syscall.SIGTERM)
	if *exitOnEOF {
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			done <- syscall.SIGTERM
		}()
	}
	<-done
	server.Close()
	model.Remove()
}
