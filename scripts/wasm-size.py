#!/usr/bin/env python3
# Code size by crate of a wasm with a name section (cargo's output before wasm-bindgen, e.g.
# $CARGO_TARGET_DIR/wasm32-unknown-unknown/release/pocket-cluster-web.wasm):
#   python3 scripts/wasm-size.py FILE.wasm [ROWS]
import sys, re, collections
data=open(sys.argv[1],'rb').read()
def leb(b,i):
    r=0;s=0
    while True:
        x=b[i];i+=1;r|=(x&0x7f)<<s;s+=7
        if x<0x80: return r,i
i=8;sections=[]
while i<len(data):
    sid=data[i];i+=1;size,i=leb(data,i);sections.append((sid,i,size));i+=size
nimports=0;bodies=[];names={}
for sid,off,size in sections:
    if sid==2:
        j=off;n,j=leb(data,j)
        for _ in range(n):
            l,j=leb(data,j);j+=l;l,j=leb(data,j);j+=l;kind=data[j];j+=1
            if kind==0: _,j=leb(data,j);nimports+=1
            elif kind==1: j+=1;fl,j=leb(data,j);_,j=leb(data,j); (leb(data,j) if fl&1 else None)
            elif kind==2:
                fl,j=leb(data,j);_,j=leb(data,j)
                if fl&1: _,j=leb(data,j)
            elif kind==3: j+=2
    if sid==10:
        j=off;n,j=leb(data,j)
        for _ in range(n):
            l,j2=leb(data,j);bodies.append(l+(j2-j));j=j2+l
    if sid==0:
        j=off;l,j=leb(data,j);nm=data[j:j+l].decode();j+=l
        if nm=='name':
            end=off+size
            while j<end:
                sub=data[j];j+=1;sl,j=leb(data,j)
                if sub==1:
                    k=j;n,k=leb(data,k)
                    for _ in range(n):
                        idx,k=leb(data,k);l,k=leb(data,k);names[idx]=data[k:k+l].decode('utf8','replace');k+=l
                j+=sl
def crate(n):
    m=re.match(r'_ZN(.*)',n)
    if not m: return n[:30]
    rest=m.group(1)
    segs=[]
    while True:
        mm=re.match(r'(\d+)',rest)
        if not mm: break
        l=int(mm.group(1)); rest=rest[len(mm.group(1)):]
        segs.append(rest[:l]); rest=rest[l:]
        if len(segs)>3: break
    if not segs: return '?'
    if segs[0].startswith('_$LT$'):
        t=segs[0][5:]
        t=t.split('..')
        if t[0]=='pocket_cluster' and len(t)>1: return 'pc::'+t[1]
        return '<'+t[0]
    if segs[0]=='pocket_cluster' and len(segs)>1: return 'pc::'+segs[1]
    return segs[0]
tot=collections.Counter()
for k,b in enumerate(bodies):
    tot[crate(names.get(k+nimports,'?'))]+=b
code=sum(bodies)
print('total file',len(data),'code',code)
for sid,off,size in sections: 
    if sid in (10,11): print('section',sid,size)
for c,s in tot.most_common(int(sys.argv[2]) if len(sys.argv)>2 else 60): print(f'{s:9d} {c}')
