/* Xen's 2-level event channels (core/evtchn.c): each domain's port table,
 * delivery into the guest's shared_info and vcpu_info pages with the
 * upcall on PPI 31, and the ports the hypervisor itself consumes (the
 * ioreq path's). hypercall/event_channel_op.c decodes the guest's
 * EVTCHNOP_* calls into the functions below; docs/hypercalls.md, "Event
 * channels", says what each answers and who may call it.
 *
 * Domain ids are Xen's: DOMID_SELF (0x7ff0) stands for the caller.
 * Every int-returning function gives 0 or a negative XAM error. */
#ifndef XAM_EVTCHN_H
#define XAM_EVTCHN_H

#include <xam/types.h>
#include <xam/xen_abi_evtchn.h>

struct domain;
struct vcpu;

/* ---- the guest's operations (d: the calling domain) ---- */
int evtchn_alloc_unbound(struct domain *d, unsigned dom, unsigned remote_dom, unsigned *port);
int evtchn_bind_interdomain(struct domain *d, unsigned remote_dom, unsigned remote_port, unsigned *port);
int evtchn_bind_virq(struct domain *d, unsigned virq, unsigned vcpu, unsigned *port);
int evtchn_bind_ipi(struct domain *d, unsigned vcpu, unsigned *port);
int evtchn_close(struct domain *d, unsigned port);
int evtchn_send(struct domain *d, unsigned port);
/* st->dom and st->port in, the rest out. */
int evtchn_status(struct domain *d, struct evtchn_status *st);
int evtchn_bind_vcpu(struct domain *d, unsigned port, unsigned vcpu);
int evtchn_unmask(struct domain *d, unsigned port);
int evtchn_reset(struct domain *d, unsigned dom);
/* Whether d and t may be the two ends of a channel (one function, so
 * that static event channels between linked domains extend it). */
bool evtchn_may_talk(const struct domain *d, const struct domain *t);

/* ---- static event channels (Xen's xen,evtchn-v1, bound by the builder) ----
 * Make port dport of d one end of the static channel whose other end is
 * port rport of r (docs/hypercalls.md, "Static event channels"), before d
 * starts: d must be building or rebuilding after a reset (-ESRCH
 * otherwise), dport free in d (-EBUSY). The link is recorded (so that d
 * and r may talk, evtchn_may_talk) until either domain is released for
 * good. Then:
 *  - r never ran (the first build; or r is d): rport must be free in r
 *    too (-EBUSY, nothing bound), and the two are bound;
 *  - r's rport waits for d (unbound, offered to d: d's previous life
 *    ended and r kept its end): bound;
 *  - otherwise (r stopped, or its guest closed rport or reused it): dport
 *    is left unbound, offered to r, whose own rebuild binds it later.
 * When bound, dport starts pending, as Xen's bind_interdomain makes its
 * binder's port (for its static channels, the second end). Ports are
 * 1 to 4095 (-EINVAL: 0, beyond the 2-level ABI, the same port twice);
 * -ENOMEM; -ENOSPC past MAX_DOMAINS * 16 links. */
int evtchn_bind_static(struct domain *d, unsigned dport, struct domain *r, unsigned rport);

/* ---- ports the hypervisor consumes (the ioreq path) ----
 * A port of d whose peer is `remote` (which binds to it with
 * bind_interdomain), consumed by the hypervisor: d itself may not bind,
 * send, close, unmask or re-bind it (-EINVAL, as Xen answers for its own
 * ports). When remote sends on its end, fn(d, port, arg) runs on remote's
 * CPU with no lock held (it may also run once after d began stopping:
 * check d's state). vcpu: the vCPU of d it stands for (Xen's vp_eport;
 * status reports it). d must be building, rebuilding or running
 * (-ESRCH otherwise); -ENOSPC past 32 such ports in d or 4096 in all. */
int evtchn_alloc_xen(struct domain *d, unsigned vcpu, struct domain *remote,
                     void (*fn)(struct domain *d, unsigned port, void *arg), void *arg, unsigned *port);
/* Signal remote's end of d's hypervisor port: false (nothing done) if
 * remote has not bound it (yet). Cheap (d's lock only): call it on one
 * of d's vCPUs, or otherwise while d cannot be released. */
bool evtchn_notify_xen(struct domain *d, unsigned port);
/* Close d's hypervisor port (remote's end goes back to unbound). Waits
 * for a call of its fn in flight on another CPU: never call it from fn,
 * nor holding a lock fn takes. No-op if d stopped meanwhile (its ports
 * closed then). */
void evtchn_free_xen(struct domain *d, unsigned port);

/* ---- hooks ---- */
/* The lifecycle: d stops or resets (every port closes, peers see their
 * ends unbound); d's memory is being released (the table is freed, so a
 * rebuilt domain starts with an empty one). */
void evtchn_domain_stopped(struct domain *d);
void evtchn_domain_released(struct domain *d);
/* memory_op: d's shared_info page was registered (events raised before
 * are delivered now). */
void evtchn_shared_info_registered(struct domain *d);
/* vcpu_op: v registered its vcpu_info: as Xen, every selector bit is set
 * and an upcall made, so that nothing raised before is lost. */
void evtchn_vcpu_info_registered(struct vcpu *v);
/* Before v enters its guest, while it has an upcall raised
 * (v->evtchn_raised): the upcall interrupt again as long as the guest
 * has not cleared evtchn_upcall_pending (the level Xen keeps). */
void evtchn_vcpu_entry(struct vcpu *v);

#endif
