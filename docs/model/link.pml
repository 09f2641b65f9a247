/*
 * link.pml - Promela model of the RPMsg link protocol: two rings between a
 * main core and a sub core, sessions, joining, and restarts of either core.
 * See README.md in this directory for what is modelled and how to run it.
 *
 * Build options (spin -a -D...):
 *   N=1|2          descriptors per ring (default 2)
 *   MAXMR, MAXSR   main / sub restarts allowed (default 2 / 2)
 *   OLD_PROTOCOL   the sub's fast-path join does not format the rings
 *   CLEAR_FIRST    main init clears the join words BEFORE formatting the
 *                  rings (the order of the first draft; found unsafe)
 *   NO_RECHECK     the sub does not re-read the session after reading a
 *                  descriptor it is about to accept
 *   MAIN_ISR       the main core has two contexts: a task (process Main) and
 *                  an ISR (process MainIsr) that answers joins; a flag `mcs`
 *                  (interrupts disabled) keeps them apart. Needs MAXMR=0.
 *   ISR_GAP        with MAIN_ISR: the task's send leaves the critical
 *                  section between its link check (and the payload written
 *                  for the link it saw) and its ring write, so the ISR can
 *                  answer a rejoin and reset the rings in between (breaks
 *                  rule 6 of docs/layout.md section 7; must fail)
 */
#ifndef N
#define N 2
#endif
#ifndef MAXMR
#define MAXMR 2
#endif
#ifndef MSGS
#define MSGS 2                          /* messages per direction before the restarts stop */
#endif
#ifndef MAXSR
#define MAXSR 2
#endif
#if defined(MAIN_ISR) && MAXMR != 0
#error "MAIN_ISR is modelled without main restarts (MAXMR=0)"
#endif
#ifdef MAIN_ISR
#define MOP(op) atomic { !mcs -> mcs = 1 }; main_link(); op; mcs = 0
#define MLINK atomic { !mcs -> mcs = 1 }; main_link(); mcs = 0
#else
#define MLINK main_link()
#define MOP(op) main_link(); op
#endif
#define L (2 * N)                       /* counters are kept mod 2N: exact, 65536 is a multiple of 2N */
#define AV 1                            /* flag AVAIL */
#define US 2                            /* flag USED */
#define WRAP(c) ((c) < N -> 1 : 0)      /* wrap bit of counter c */
#define SENT(w) ((w) -> AV : US)        /* "sent in a lap with wrap w" */
#define FREED(w) ((w) -> 3 : 0)         /* "freed in a lap with wrap w" */
#define NEXT(c) (((c) + 1) % L)
#define INFL(h, t) (((h) + L - (t)) % L)
#define BIT(b) (1 << (b))
/* locals are cleared when an operation ends (fewer distinct states) */
#define MCLR c = 0; i = 0; f = 0; b = 0; bz = 0
#define SCLR c = 0; i = 0; f = 0; b = 0; bz = 0

#define FMT 0                           /* ghost: who wrote a descriptor */
#define SND 1
#define FRE 2

#define DOWN 0
#define JOINING 1
#define UP 2

typedef Desc {
  byte addr;       /* buffer index (the region offset, abstracted) */
  byte flags;      /* AVAIL / USED */
  byte kind;       /* ghost: FMT, SND or FRE */
  byte gen;        /* ghost: link epoch of the writer */
  bit busy         /* ghost: a write is between its addr and flags stores */
};
typedef Buf {      /* ghost contents of a buffer */
  byte gen;        /* epoch of the message */
  byte seq;        /* its number in that epoch, mod 4 */
  bit fin          /* sent after the last restart */
};

/* ---- shared memory ---- */
byte session;      /* region header */
byte req;          /* ctl[0].join: the sub's request */
byte ack;          /* ctl[1].join: the main's answer */
Desc d[2 * N];     /* ring r, slot s at r * N + s */
Buf bm[2 * N];     /* ring r, buffer b at r * N + b */
/* ghost: a reader watching slot i (1), overwritten meanwhile (2), idle (0) */
byte wm[2 * N], ws[2 * N];

/* ---- ghost ---- */
byte reqgen;       /* epoch id of the join write now in req */
byte gen;          /* epoch ids handed out (one per join write) */
bit mkill, skill;  /* restart requests */
byte mr, sr;       /* restarts done */
bit calm;          /* no more restarts */
bit mcs = 1;       /* MAIN_ISR: the main core is in a critical section (init holds it) */
byte msent, ssent; /* messages sent before the restarts stop */
bit mgot, sgot;    /* main / sub received a message sent after the last restart */
#define MAXGEN 16
bit live[MAXGEN];  /* epoch answered by the main */
bit tainted[MAXGEN]; /* the sub took a bad descriptor for a buffer in this epoch */

/* ---- main core, local ---- */
byte mstate, answered, mgen;
byte p0h, p0t, mh0;   /* ring 0 producer: allocs, sends, held bitmap */
byte c1h, c1t, mh1;   /* ring 1 consumer: recvs, frees, held bitmap */
byte mseq, mexp;

/* ---- sub core, local ---- */
byte sstate, bsess, myreq, sgen;
byte p1h, p1t, sh1;   /* ring 1 producer */
byte c0h, c0t, sh0;   /* ring 0 consumer */
byte sseq, sexp;

/* One descriptor write: addr (and len), then flags with release. */
inline wd_addr(i, a) {
  d[i].busy = 1; d[i].addr = a;
  if :: wm[i] == 1 -> wm[i] = 2 :: else fi;
  if :: ws[i] == 1 -> ws[i] = 2 :: else fi
}
inline wd_flags(i, f, k, g) {
  d[i].flags = f; d[i].kind = k; d[i].gen = g; d[i].busy = 0
}
inline wdesc(i, a, f, k, g) {
  atomic { wd_addr(i, a) };
  atomic { wd_flags(i, f, k, g) }
}

/* Format ring r: every slot "freed in lap -1" naming its own buffer. */
inline fmt(r, g) {
  s = 0;
  do
  :: s < N -> wdesc(r * N + s, s, 0, FMT, g); s++
  :: else -> break
  od
}

inline main_local_reset() {
  mstate = JOINING; answered = 0; mgen = 0;
  s = 0; do :: s < 2 * N -> wm[s] = 0; s++ :: else -> break od; s = 0;
  p0h = 0; p0t = 0; mh0 = 0; c1h = 0; c1t = 0; mh1 = 0; mseq = 0; mexp = 0
}

inline main_init() {
  atomic { session = session + 1; main_local_reset() };
#ifdef CLEAR_FIRST
  atomic { req = 0; reqgen = 0 };
  ack = 0;
  fmt(0, 0); fmt(1, 0)
#else
  fmt(0, 0); fmt(1, 0);
  atomic { req = 0; reqgen = 0 };
  ack = 0
#endif
}

/* Main link check: answer a new join request. */
inline main_link() {
  atomic { t = req; tg = (t != answered -> reqgen : 0) };
  if
  :: t != answered ->
     if
     :: t == 1 && answered == 0 -> skip     /* first join of the session */
     :: else ->
        mstate = JOINING;
        fmt(0, tg); fmt(1, tg);
        atomic { p0h = 0; p0t = 0; mh0 = 0; c1h = 0; c1t = 0; mh1 = 0 }
     fi;
     atomic {
       assert(!tainted[tg]);          /* an epoch with a bad sub alloc never goes live */
       live[tg] = 1;
       answered = t; mgen = tg; ack = t; mstate = UP; mseq = 0; mexp = 0; tg = 0 }
  :: else
  fi
}

inline pick(held) {
  if
  :: (held & 1) -> b = 0
  :: (held & 2) -> b = 1
  fi
}

inline m_alloc() {     /* ring 0, producer */
  if
  :: mstate == UP && INFL(p0h, p0t) < N ->
     atomic { c = p0h; i = c % N; f = d[i].flags; bz = d[i].busy; wm[i] = 1 };
     if
     :: f == FREED(1 - WRAP(c)) ->
        atomic {
          b = d[i].addr;
          if
          :: (mh0 & BIT(b)) == 0 ->
             assert(!bz && wm[i] == 1);                 /* not read while written */
             assert(d[i].kind == FMT || (d[i].kind == FRE && d[i].gen == mgen)); /* no stale write */
             assert((sh0 & BIT(b)) == 0);                  /* not held by the sub */
             mh0 = mh0 | BIT(b); p0h = NEXT(c)
          :: else                                          /* refused (corrupt) */
          fi;
          wm[i] = 0; MCLR }
     :: else -> atomic { wm[i] = 0; MCLR }
     fi
  :: else
  fi
}

inline m_send() {
  if
  :: mstate == UP && mh0 != 0 && (calm -> !sgot : msent < MSGS) ->
     pick(mh0);
#ifdef ISR_GAP
     atomic { bm[b].gen = mgen; bm[b].seq = mseq; bm[b].fin = calm; mcs = 0 };  /* link checked, payload written */
     atomic { !mcs -> mcs = 1 };                                          /* the ISR may have run */
     atomic { c = p0t; i = c % N; wd_addr(i, b) };
#else
     atomic { c = p0t; i = c % N; bm[b].gen = mgen; bm[b].seq = mseq; bm[b].fin = calm };
     atomic { wd_addr(i, b) };
#endif
     atomic { wd_flags(i, SENT(WRAP(c)), SND, mgen); mh0 = mh0 & (3 - BIT(b)); p0t = NEXT(c); mseq = (mseq + 1) % 4; msent = msent + (1 - calm); MCLR }
  :: else
  fi
}

inline m_recv() {      /* ring 1, consumer */
  if
  :: mstate == UP && INFL(c1h, c1t) < N ->
     atomic { c = c1h; i = N + c % N; f = d[i].flags; bz = d[i].busy; wm[i] = 1 };
     if
     :: f == SENT(WRAP(c)) ->
        atomic {
          b = d[i].addr;
          if
          :: (mh1 & BIT(b)) == 0 ->
             assert(!bz && wm[i] == 1);
             assert(d[i].kind == SND && d[i].gen == mgen);     /* no stale write */
             assert((sh1 & BIT(b)) == 0);
             assert(bm[N + b].gen == mgen && bm[N + b].seq == mexp); /* own epoch, in order, once */
             mexp = (mexp + 1) % 4;
             if :: bm[N + b].fin -> mgot = 1 :: else fi;
             mh1 = mh1 | BIT(b); c1h = NEXT(c)
          :: else
          fi;
          wm[i] = 0; MCLR }
     :: else -> atomic { wm[i] = 0; MCLR }
     fi
  :: else
  fi
}

inline m_free() {
  if
  :: mstate == UP && mh1 != 0 ->
     pick(mh1);
     c = c1t; i = N + c % N;
     atomic { wd_addr(i, b) };
     atomic { wd_flags(i, FREED(WRAP(c)), FRE, mgen); mh1 = mh1 & (3 - BIT(b)); c1t = NEXT(c); MCLR }
  :: else
  fi
}

/* ---- sub core ---- */
inline sub_local_reset() {
  sstate = DOWN; bsess = 0; myreq = 0; sgen = 0;
  s = 0; do :: s < 2 * N -> ws[s] = 0; s++ :: else -> break od; s = 0;
  p1h = 0; p1t = 0; sh1 = 0; c0h = 0; c0t = 0; sh0 = 0; sseq = 0; sexp = 0
}

inline sub_join() {
  ts = session;
  t = req;
  ta = ack;
  if
  :: t == 0 && ta == 0 ->
#ifndef OLD_PROTOCOL
     fmt(0, 0); fmt(1, 0);
#endif
     atomic {
       gen++; assert(gen < MAXGEN); sgen = gen; myreq = 1; req = 1; reqgen = gen; bsess = ts; sstate = UP;
       p1h = 0; p1t = 0; sh1 = 0; c0h = 0; c0t = 0; sh0 = 0; sseq = 0; sexp = 0;
       t = 0; ta = 0; ts = 0 }
  :: else ->
     atomic {
       gen++; assert(gen < MAXGEN); sgen = gen; myreq = (t > ta -> t : ta) + 1; req = myreq; reqgen = gen;
       bsess = ts; sstate = JOINING;
       p1h = 0; p1t = 0; sh1 = 0; c0h = 0; c0t = 0; sh0 = 0; sseq = 0; sexp = 0;
       t = 0; ta = 0; ts = 0 }
  fi
}

inline sub_link() {
  ts = session;
  t = req;
  if
  :: ts != bsess || t != myreq ->
     atomic { sh0 = 0; sh1 = 0; sstate = DOWN };
     sub_join()
  :: else
  fi;
  if
  :: sstate == JOINING && ack == myreq -> sstate = UP
  :: else
  fi
}

inline s_alloc() {     /* ring 1, producer */
  if
  :: sstate == UP && INFL(p1h, p1t) < N ->
     atomic { c = p1h; i = N + c % N; f = d[i].flags; bz = d[i].busy; ws[i] = 1 };
     if
     :: f == FREED(1 - WRAP(c)) ->
        b = d[i].addr;
        atomic {             /* re-read the session, then accept */
#ifndef NO_RECHECK
        if
        :: session != bsess -> ws[i] = 0                       /* link down: refused */
        :: else ->
#endif
          if
          :: (sh1 & BIT(b)) == 0 ->
             /* A bad descriptor taken here only matters if the epoch goes
              * live (the buffer then reaches the main): taint the epoch. */
             if
             :: bz || ws[i] != 1 ||
                !(d[i].kind == FMT || (d[i].kind == FRE && d[i].gen == sgen)) ||
                (mh1 & BIT(b)) != 0 ->
                assert(!live[sgen]); tainted[sgen] = 1
             :: else
             fi;
             sh1 = sh1 | BIT(b); p1h = NEXT(c)
          :: else
          fi;
          ws[i] = 0
#ifndef NO_RECHECK
        fi
#endif
        ; SCLR }
     :: else -> atomic { ws[i] = 0; SCLR }
     fi
  :: else
  fi
}

inline s_send() {
  if
  :: sstate == UP && sh1 != 0 && (calm -> !mgot : ssent < MSGS) ->
     pick(sh1);
     atomic { c = p1t; i = N + c % N; bm[N + b].gen = sgen; bm[N + b].seq = sseq; bm[N + b].fin = calm };
     atomic { wd_addr(i, b) };
     atomic { wd_flags(i, SENT(WRAP(c)), SND, sgen); sh1 = sh1 & (3 - BIT(b)); p1t = NEXT(c); sseq = (sseq + 1) % 4; ssent = ssent + (1 - calm); SCLR }
  :: else
  fi
}

inline s_recv() {      /* ring 0, consumer */
  if
  :: sstate == UP && INFL(c0h, c0t) < N ->
     atomic { c = c0h; i = c % N; f = d[i].flags; bz = d[i].busy; ws[i] = 1 };
     if
     :: f == SENT(WRAP(c)) ->
        b = d[i].addr;
        atomic {             /* re-read the session, then accept */
#ifndef NO_RECHECK
        if
        :: session != bsess -> ws[i] = 0
        :: else ->
#endif
          if
          :: (sh0 & BIT(b)) == 0 ->
             assert(!bz && ws[i] == 1);
             assert(d[i].kind == SND && d[i].gen == sgen);
             assert((mh0 & BIT(b)) == 0);
             assert(bm[b].gen == sgen && bm[b].seq == sexp);
             sexp = (sexp + 1) % 4;
             if :: bm[b].fin -> sgot = 1 :: else fi;
             sh0 = sh0 | BIT(b); c0h = NEXT(c)
          :: else
          fi;
          ws[i] = 0
#ifndef NO_RECHECK
        fi
#endif
        ; SCLR }
     :: else -> atomic { ws[i] = 0; SCLR }
     fi
  :: else
  fi
}

inline s_free() {
  if
  :: sstate == UP && sh0 != 0 ->
     pick(sh0);
     c = c0t; i = c % N;
     atomic { wd_addr(i, b) };
     atomic { wd_flags(i, FREED(WRAP(c)), FRE, sgen); sh0 = sh0 & (3 - BIT(b)); c0t = NEXT(c); SCLR }
  :: else
  fi
}

/* Each operation: link check and ring operation in one critical section
 * of its core (the other core runs on meanwhile). */
active proctype Main() {
  byte c, i, f, b, t, tg, s; bit bz;
mboot:
  {
    main_init();
#ifdef MAIN_ISR
    mcs = 0;
#endif
    do
    :: !calm -> MLINK                              /* doorbell ISR */
    :: !calm -> MOP(m_alloc())
    :: !calm -> MOP(m_send())
    :: !calm -> MOP(m_recv())
    :: !calm -> MOP(m_free())
    :: calm -> break
    od;
    do
    :: MOP(m_alloc()); MOP(m_send());
       MOP(m_recv()); MOP(m_free())
    od
  } unless { mkill -> atomic { mkill = 0; main_local_reset(); mstate = DOWN } };
  goto mboot
}

active proctype Sub() {
  byte c, i, f, b, t, ta, ts, s; bit bz;
sboot:
  {
    session != 0;                                 /* the region exists */
    sub_join();
    do
    :: !calm -> sub_link(); s_alloc()
    :: !calm -> sub_link(); s_send()
    :: !calm -> sub_link(); s_recv()
    :: !calm -> sub_link(); s_free()
    :: calm -> break
    od;
    do
    :: sub_link(); s_alloc(); sub_link(); s_send();
       sub_link(); s_recv(); sub_link(); s_free()
    od
  } unless { skill -> atomic { skill = 0; sub_local_reset() } };
  goto sboot
}

#ifdef MAIN_ISR
/* The main core's doorbell ISR: a link check of its own, between any two
 * critical sections of the task. */
active proctype MainIsr() {
  byte t, tg, s;
  do
  :: atomic { !mcs -> mcs = 1 }; main_link(); mcs = 0
  od
}
#endif

active proctype Chaos() {
  do
  :: mr < MAXMR && !mkill -> mkill = 1; mr++
  :: sr < MAXSR && !skill -> skill = 1; sr++
  :: break
  od;
  calm = 1
}

/* After the last restart, both cores get a message sent afterwards. */
ltl live { <> (mgot && sgot) }
