"""Tests of ``sim.analysis.clv.ModifiedBetaGeoFitter`` (MBG/NBD, Batislam, Gursoy & Leeflang 2007).

What is checked, and against what:

* the fit on the CDNOW sample (2,357 customers, weeks) against the published estimates
  (BTYDplus / lifetimes: r = 0.525, alpha = 6.183, a = 0.891, b = 1.614), to their printed
  precision; the same data give the published BG/NBD estimates (Fader, Hardie & Lee 2005:
  0.243, 4.414, 0.793, 2.426), which shows the embedded data are the CDNOW sample;
* the log-likelihood against the published per-customer formula evaluated with plain ``math``,
  and its analytic gradient against finite differences;
* ``expected_purchases``, ``conditional_expected_purchases`` and ``p_alive`` against a Monte-Carlo
  MBG/NBD population with known parameters (a numpy generator written here);
* parameter recovery on the simulator (``btyd_only`` with ``dropout_after_first: true``): the
  truth lies inside the Hessian intervals.
"""

from __future__ import annotations

import base64
import hashlib
import math
import zlib

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn.metrics import roc_auc_score

import sim
from sim.analysis import clv
from sim.analysis.clv.mbgnbd import _mbgnbd_loglik, _mbgnbd_loglik_grad

# The CDNOW sample of Fader, Hardie & Lee (2005) as shipped with lifetimes
# (lifetimes/datasets/cdnow_customers_summary.csv, MIT licence): 2,357 customers observed for
# 39 weeks. Stored here as its distinct (frequency, recency, T, count) rows, CSV, zlib, base85.
_CDNOW_B85 = (
    "c-m!~Te2mq3Pt~`Ejw-"
    "~XlnMqV|OWY^2qa3QDbY04@5v$`)mJef3kl6bp6*zef&ual=rVcfkXfL3Y_b&OW^8%eFpC5uW#Z$a^9eyoM>quIU#mmIWzFcNiF^"
    "4<jO_PTjab|&U?p`>K-"
    "|%@{#id7CG;g!^(R9CP7Ee4m@&J;F0qL9yzHr%lY9?PGCQB5}ozwfq8v?nAhirN6rX5>ys+yc~d!Zde9lq6L{pjfqCA3c;uvSkDL"
    "{F<T&bCpG0LmTGr=>KRKd-d3}C(=4}KPIirkcTsab0=51U#EwIenxZ`;P%e>7qo*8uJ?F}q?FsmNSI-XhAXI?qpi|5EmRMzJy`{#"
    "#8PO4nS^ISOzj~pLCu?KqXK`uPwk-(yFW)E6mwg+nVz+1ldK!VD6u04n@nmtILX1k-i$}xM;{`J4RDPf0*w!H#P(H%_z9Y-y-"
    "6>?lr`S%}e1IJNuRlEb1i%0iX2s-#i%RkKBIJmy(m46~~Hw=Be2enonU-ZgnZ>5$GzR~gz^VAvo<QV3ra-"
    "WZRvlS)6QaMV<H7upqg8Zn5%?3p~JuDna*}q=(pkv`n>2euoV{P{5B8<JG)Y9nQS;_q&4ErMNwWC%XA?7!#P!Yq_r-QG{G4gph%b"
    "F&lXo%s8p&#6}bVsSFgg13?S4?uxqPL1#ag=X0HFZ|G#rO`cFJh{sD1rES>eM-"
    "H;^&Ri`cP_9eV|v(Wrv7^zCi`b<P8<w5?B#$_~3)3B9%{fDcms>(?jos>7k1`m_}-Pn7_T}p^+IF?~-"
    "X=D$HFn#cPFfAx>S#Cxn^;oXzgoLu#=YhBM~WOoR(M_=X^}3Ar@(pdn{bi#}*E16njd;}p7dX1@oX*?$YdsY{5pQ5a?Rz&2|oZ^*"
    "VI`mS|%8czSzwx0{N87%0Fq1a&FlFeWX%ClldHP?-K8R7C=vb_MQqguy-i74ngdv}2kXF$`uuAw(<Gtm-hbi$4*^nYNQ9Bt^{@EQ"
    "6l7^Y^rpHG69Oj?D~cV+}INfVnDy`R{Q{^`LP-"
    "}?D)Xa_^a*x3`4hB=(otQtNQeXO%?6vGjnJUDCV=i6N?yES?us3CQJ`M6Vj!8|YsdEj#ShvnpbU=K^_j&F~yEpNCS#19T)N1L^R+"
    "ds7<5tH^no4l@VB=3`1Cg6hpqw<1z&!r)D)d8&9#|5j5X<JYd^lHH?gc>Z2z$<6FysAHNF}C-"
    "r!(G@dj%HOHZMS$Ii)~#{nGbp&5Bk}$i$As_EV*P8)j-"
    "8;Z0w#~IBMYvv}y8ov&%*DE)<KiVN_ZnjAdh%d@OdhwL)HKju7U1LxEgOvBVoko6E5Y_HRE^Xo$*hq+l-"
    "DUTTRn3iD=p;S+kHX#{%s)`R=4=geFEx);M?!)8+8dNRPGr`Adrdn<kjaHiVk61R+Q+j^_}v^SVSdZ*p<NE!L{Cj#izejBIgp<`p"
    "yBV`!Sh{cEMbd6iW)OD#=uzy@g;|Q3#)B~<dne;B$cPv&<iUEti+VvB{D3&4Wm(FVyrZrsaBQkxC?wa)h6HeI!j#F?A3kF&*oECX"
    "hXTML3jpBI@H)7E+!zX=h#>0!vZboCphXU`YUOb8ZIbQn{sUyP@81$$52%YCyW!t#UDN21{)}wt>l9q7=*68ek{~f(CACS_QCzZs"
    "o?vGXd;l8Q|+*jSZ3qb{EcEJF#Hw(*(>YMq;AU~1%hDveTH|D7&jF{Vud~Bs%!kfO~S8^OQ$I-"
    "a0X?$*54WGZ&#=NE9Z{#x#>lD5?*4XrmGd#Ek&~No)`&-Xqu*YU8L278y8DKHX)Drr*q#-"
    "^yJ#xMo?kN7$PSIMc_DFgS5~P3n((5rHG`7K|uS5=w*^p?iD3@^r*)+z{8yg$eNhI?13E8+rV%E{ko6xYw$8{tOr`a{Z$;-"
    "ZcV`izY1lV;*1m=<LX$e?FBMoj?GMb{r4Hm5mC<+r1oDX-"
    "$Xsv32B19mMxL_fM>;aXCQg@Zb*mgB1dekJTafFsKJ~}X9ETc2US&&i3Mr84<Nu^nJ;uHMItbV4<>O>od<pzgFKGnE7N4Z(N;F3%"
    "O$I38fVfm_~S)a7i`ed3G4yLGIQkCG9*u=BF?YD5GFdZ9PpKb5zo7g0#p}uizVwgh%pahyya3C*IBwk#?75(J@otXz|IOCWmY1q8"
    "2A`)EM>#CW59evkcqXzpjv_K{9SN<`8h|LS$iEWYD+^E^CQJrgL9)Z&4XEGkYVlv8(k{PhnH);Ss-kA8?xFAapeH0|rF|Xno>2^u"
    "t^7N7o+R+YkM?0+TOO3nVOG&8(Ik<;C(rib?6JY3|rsFLLg(I}tfEoenY;>gbvLMgoI7`);lf>c~AV_2esDV~@<08zwWKz_8usJa"
    "1Cm)*!%_v#jm3%DuD?3~~*}$slxRpP;ZouTaiG}sF!aydR#6owPMPMxMhQc~VBp>808G0WgVi5$*EgDLWt{_ex9Qlh7z%kuRh=sR"
    "4XK%WE5(c-fVjiEOQ{X4@>TcS|wBnZ|M=J<eU7tNbMbE%9aq_sGmrLt8p&<-"
    "Wd#a!E5@cW4F8)%46tmRJ?Zf4iXc2_7bTlNwS@um~AXs0kqIBlLS%0L=5^;EKhM<%-"
    "Qs_=h6E$*j)_JAY?J6$nr%N$8QDEAF7Gc^B5a(QMdy*raFmTbBxhY;f9T9>EGc@Kw*BdcilaPHI-"
    "w2PHOJRr>i<nc27gtZa$fK^pY1VhX5f%nc>Ro^RaS<@NJkIJ9^TGxOn?D!LnfkVju5ljy@ZjKOej}zkcCxO-MPb1R%`d0RapyPHF"
    "A6R_CCG{90UM^oz-"
    "3cdw$_owXhfSD=#2Dgyup&BrK@FOcqGwW*<2PLxgJO_XRh?BkqnOlE%Kvmf!D#lmiR|X{3FJzr_E>qjT=D(FmAL&^NqCgt{f&<Ms"
    "l%)L5AB@4>Age(jmz3Erg(=r}DA^5mij?SBom*b9w<SV^78D##b0+yiwhb8w#JFxu7ZGVCnF&{*%)xf*>P_|F{qG;GG8Ruat}y1`"
    ")1REBn^YZn}gCA+F5A%0+X<VUv~fhJtaX@?D%S!;vsMG&ZM64>nA?7uVhV##1fFm9VI|#&axSiV6hUq~W%<;tgw$$7znf9SmKxZG"
    ">>F!O@kTBXaQwqmgRIC0{-ZP9<g&oLzx5U#1gRDmA0V)_8`qFPg8}oWp+~`QB6Du|?-+eg`F}7)z=-"
    "b(`>xMgMx*N+9a0`uhmf6?6=!*=8u>3{0Z_&6IjlxbEK46K^9)E6Du@N9-oGt3hrKy)HK_vi|M-"
    "#!KzqhwiQV<qf2~m~@PrKIEM=4WADa(er~Dh1(W=?0n&YZuOFGQhHM2JkyPgMk+tpP8#&JKYU~hN>?VAlUt^d&yMn>`^p4%)Mv;O"
    "<>|Ib;SSN@D3a1KwsK{ubbq?f#hdM)GWn~Clm04_xwN*<K3w5TMs#0zl}05kFaI<WxYX%}bDQn;d{C1^9o^@^c#zoa-kyX<bXl|0"
    "p*(r1z@phQDNkM>K2F|U*%x0%ez~YPc+(agc=te_$uZVA8Yz9|M5ji6u5t`^=FGcuO#YK@1%Row#~(5Wa`)OPOJ`0abw|-"
    "FKM>M5C!^fYO>u^q<cu;@au)B*MpB95caBHsBCA^-"
    "WYoAWn%*@3(@2=1v(B`YEd@h#tlU`IBqYnqw}}|4N;(>O#gmG8ZHcbq0O3q1ug7j*hd<oBwa4E``L5v)C^Bu(P7j6#o)mQA8%eam"
    "J7(y`pndGlj6~U`nNwIJVn;OIpZrpGgvo-qmp>LbB&`aQlFS?oQG|`T!9ZsaHO#~*4Mk4%^Ha-Vj=T75<0fMG*CY83Bg{b*TgVce"
    "g3Ez?ync~GEeFe}e)fPLO|2Ysgf(#l!j5k$PM)aq<I>lsuRC9Ukr9gWmMl8A^TVYP`S9Qr(ctDAJBk4>x6p{~>%}Qe%Nw}RUf+-"
    "qrsYXE%|FjbdbP2MwB(#<cVa43!}QVb2z*kg$8Ep^X+Sx6o=;>@7cr+gCh~#s9jE8`ZqpObB^K&>e&-"
    "Hy@`b`+@lyraJ$cmLDXlT%GWzy<;`UkCFX{P_&W!LEt>JpFv*WfeysLic#p*M?qMDy;riqiLvoBSVX9RTUyA+pZhGw$4H(QhmZQ`"
    "}k<n8h6@?LoSkf-TqQU`l}D>tDgQ00jukDGcjS`lweb9^uv9}MRwe%WG}p5je-HatBZq%5f;PoyBP_=k@W;NLy<S;52flo!Lj^3R"
    "ddc~RZc8k02R2Ud=-eNS8lHe!lS9;_-"
    "3frr*e{OgsXjOTOpM~9PcCml}OMrZHoo4rh?I;ieEJ_;vWNEeGa3%;}X4|{hJG!Ax0N4~V;yC52c^*8e`S{72X=<Q+%fFo_iBNUX"
    "I56jKGct>r!Z*eoiS6Vzr9<ToJM`xhYHQQ~l1k3M8??Cu=GqqK&LHS0BC*BH6j_<YQhqNme!lY^WISE%VRo9%a<Rd#}XLV$McSC)"
    "lu$xL`wKx0PSldsH+xX_r_RlrHa^D}r{~`!&L@d(lJh4&98@}5e>KpkLyTs)$K>ez}g?#@5M{l>A^l<&^6*&~Y{=82g(vu_(-"
    "k<95ZkInj;Y#wlm9JC$U5TgP`3_0qwFPUalwS;a#)PjB+}US0-"
    "NWV`vBK%`hXWc}mj+(>#}vHU^EYY9g)pHL{q(1ei?Io3bHn8O%`=|sd9n`g_dPj3VMhHz$IS?GW-pWlz5G8S(GFG"
)
_CDNOW_SHA256_PREFIX = "8b250de0b87313a3"


@pytest.fixture(scope="module")
def cdnow() -> pd.DataFrame:
    raw = zlib.decompress(base64.b85decode(_CDNOW_B85))
    assert hashlib.sha256(raw).hexdigest().startswith(_CDNOW_SHA256_PREFIX)
    rows = [tuple(float(v) for v in line.split(",")) for line in raw.decode().splitlines()]
    df = pd.DataFrame(rows, columns=["frequency", "recency", "T", "n"])
    out = df.loc[df.index.repeat(df["n"].astype(int)), ["frequency", "recency", "T"]].reset_index(drop=True)
    assert len(out) == 2357
    return out


def simulate_mbgnbd(n: int, days: float, *, seed: int, r=0.6, alpha=60.0, a=0.8, b=5.0):
    """``n`` customers, first purchase at day 0; dropout with probability p at the first purchase
    and after each repeat purchase (MBG/NBD). Returns x, t_x, the death time (inf = alive at
    ``days``) and the purchase times in (days, 2 days] of the survivors (for hold-out checks)."""
    rng = np.random.default_rng(seed)
    lam, p = rng.gamma(r, 1 / alpha, n), rng.beta(a, b, n)
    x, tx, alive_at_T, hold = np.zeros(n), np.zeros(n), np.zeros(n, dtype=bool), np.zeros(n)
    for i in range(n):
        t, dead = 0.0, rng.random() < p[i]
        while not dead:
            t += rng.exponential(1 / lam[i])
            if t > days:
                break
            x[i], tx[i] = x[i] + 1, t
            dead = rng.random() < p[i]
        if not dead:
            alive_at_T[i] = True
            # hold-out: purchases in (days, 2 * days] (memoryless: restart the clock at days)
            t = days
            while True:
                t += rng.exponential(1 / lam[i])
                if t > 2 * days:
                    break
                hold[i] += 1
                if rng.random() < p[i]:
                    break
    return x, tx, alive_at_T, hold


def mbgnbd_likelihood_by_hand(r, alpha, a, b, x, tx, T):
    """Batislam et al. (2007) eq. 3 with plain math."""
    beta = lambda u, v: math.exp(math.lgamma(u) + math.lgamma(v) - math.lgamma(u + v))
    common = math.exp(math.lgamma(r + x) - math.lgamma(r)) * alpha**r
    alive = beta(a, b + x + 1) / beta(a, b) * common / (alpha + T) ** (r + x)
    dead = beta(a + 1, b + x) / beta(a, b) * common / (alpha + tx) ** (r + x)
    return alive + dead


def test_cdnow_reproduces_the_published_mbgnbd_and_bgnbd_estimates(cdnow):
    mbg = clv.ModifiedBetaGeoFitter().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    assert mbg.converged_
    np.testing.assert_array_almost_equal(
        mbg.params_[["r", "alpha", "a", "b"]].to_numpy(), [0.525, 6.183, 0.891, 1.614], decimal=3
    )
    bgf = clv.BetaGeoFitter().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    np.testing.assert_array_almost_equal(
        bgf.params_[["r", "alpha", "a", "b"]].to_numpy(), [0.243, 4.414, 0.793, 2.426], decimal=3
    )
    # MBG/NBD explains CDNOW slightly better than BG/NBD (same number of parameters)
    assert mbg.log_likelihood_ > bgf.log_likelihood_
    # one-time buyers may be gone under MBG/NBD, never under BG/NBD
    assert float(mbg.p_alive(0, 0.0, 38.86)) < 0.5 < float(bgf.p_alive(0, 0.0, 38.86)) == 1.0


def test_log_likelihood_equals_published_formula_and_is_a_maximum():
    x = [0, 1, 2, 4, 0, 7, 0, 3]
    tx = [0.0, 5.0, 30.0, 35.0, 0.0, 38.0, 0.0, 10.0]
    T = [40.0, 40.0, 40.0, 40.0, 25.0, 40.0, 12.0, 39.0]
    mbg = clv.ModifiedBetaGeoFitter().fit(x, tx, T)
    pr = [mbg.params_[k] for k in ("r", "alpha", "a", "b")]
    hand = sum(math.log(mbgnbd_likelihood_by_hand(*pr, *row)) for row in zip(x, tx, T))
    assert mbg.log_likelihood_ == pytest.approx(hand, rel=1e-10)
    for k in range(4):
        for f in (0.9, 1.1):
            th = list(pr)
            th[k] *= f
            assert sum(math.log(mbgnbd_likelihood_by_hand(*th, *row)) for row in zip(x, tx, T)) < hand


def test_analytic_gradient_matches_finite_differences():
    rng = np.random.default_rng(3)
    x = rng.integers(0, 12, 50).astype(float)
    T = rng.uniform(100, 700, 50)
    tx = np.where(x > 0, T * rng.uniform(0.05, 1, 50), 0.0)
    for params in ([0.6, 60.0, 0.8, 5.0], [2.0, 10.0, 3.0, 0.7]):
        params = np.array(params)
        grad = _mbgnbd_loglik_grad(params, x, tx, T)
        for j in range(4):
            h = 1e-6 * params[j]
            up, dn = params.copy(), params.copy()
            up[j] += h
            dn[j] -= h
            num = (_mbgnbd_loglik(up, x, tx, T) - _mbgnbd_loglik(dn, x, tx, T)) / (2 * h)
            np.testing.assert_allclose(grad[:, j], num, rtol=1e-5, atol=1e-8)


@pytest.fixture(scope="module")
def population():
    return simulate_mbgnbd(20_000, 365.0, seed=7)


def test_predictions_match_a_monte_carlo_population(population):
    x, tx, alive, hold = population
    mbg = clv.ModifiedBetaGeoFitter()
    mbg.params_ = pd.Series({"r": 0.6, "alpha": 60.0, "a": 0.8, "b": 5.0})
    # population curve: E[X(365)] against the simulated mean (4 standard errors)
    se = x.std() / math.sqrt(len(x))
    assert abs(mbg.expected_purchases(365.0) - x.mean()) < 4 * se
    # a newborn's conditional expectation is the population curve
    assert float(mbg.conditional_expected_purchases(100.0, 0, 0.0, 0.0)) == pytest.approx(
        float(mbg.expected_purchases(100.0)), rel=1e-9
    )
    # P(alive) is calibrated: its mean equals the share alive, and it ranks the alive first
    pa = mbg.p_alive(x, tx, np.full(len(x), 365.0))
    assert abs(pa.mean() - alive.mean()) < 4 * math.sqrt(alive.mean() * (1 - alive.mean()) / len(x))
    assert roc_auc_score(alive, pa) > 0.65  # informative (0.5 = chance); one-time buyers stay ambiguous
    # conditional expectation against the hold-out year, in frequency groups
    ce = mbg.conditional_expected_purchases(365.0, x, tx, np.full(len(x), 365.0))
    for lo, hi in ((0, 0), (1, 2), (3, 6), (7, 1000)):
        g = (x >= lo) & (x <= hi)
        se = hold[g].std() / math.sqrt(g.sum())
        assert abs(ce[g].mean() - hold[g].mean()) < 4 * se + 1e-3, (lo, hi)
    # the lifetimes names are the same methods
    assert mbg.conditional_probability_alive(3, 200.0, 365.0) == mbg.p_alive(3, 200.0, 365.0)
    assert mbg.expected_number_of_purchases_up_to_time(50.0) == mbg.expected_purchases(50.0)
    assert mbg.conditional_expected_number_of_purchases_up_to_time(
        30.0, 2, 100.0, 365.0
    ) == mbg.conditional_expected_purchases(30.0, 2, 100.0, 365.0)


def test_parameter_recovery_on_the_simulator_with_dropout_after_first():
    """The simulator's MBG/NBD world (dropout_after_first: true): the truth inside the 95 % intervals."""
    sc = sim.Scenario.load("btyd_only").updated({"purchase.dropout_after_first": True})
    res = sim.run(sc, customers=8000, days=730, seed=4)
    s = clv.summary_data(res.orders, cutoff=res.end_date, discrete=False)
    mbg = clv.ModifiedBetaGeoFitter().fit(s["frequency"], s["recency"], s["T"])
    bgf = clv.BetaGeoFitter().fit(s["frequency"], s["recency"], s["T"])
    truth = np.array([sc.purchase.r, sc.purchase.alpha, sc.purchase.a, sc.purchase.b])
    ci = mbg.confidence_intervals_.to_numpy()
    assert ((ci[:, 0] <= truth) & (truth <= ci[:, 1])).all(), mbg.summary
    d = np.log(mbg.params_.to_numpy()) - np.log(truth)
    stat = float(d @ np.linalg.solve(mbg.variance_matrix_log_.to_numpy(), d))
    assert stats.chi2.sf(stat, 4) > 0.001
    # the right model fits its own world better than the wrong one
    assert mbg.log_likelihood_ > bgf.log_likelihood_
    alive = res.customers.set_index("customer_id")["true_alive"].reindex(s.index).astype(bool)
    assert roc_auc_score(alive, mbg.p_alive(s["frequency"], s["recency"], s["T"])) > 0.75  # informative (0.5 = chance)
