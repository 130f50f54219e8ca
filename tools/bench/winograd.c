// Offline micro-benchmark behind the Winograd routing (Sources/Tensor/Tensor+Winograd.swift, docs/performance.md):
// a 3×3 convolution as Winograd F(2×2, 3×3) — AVX2 transforms per band of tile rows, 16 OpenBLAS products —
// against im2col + sgemm, one thread, f32, NHWC, 'SAME' padding; prints both times and their largest difference.
// Compare with oneDNN's direct convolution through tools/bench/onednn-conv.c.
//   cc -O3 -mavx2 -mfma tools/bench/winograd.c -o /tmp/winograd -lopenblas -lm
//   OMP_NUM_THREADS=1 /tmp/winograd 64 128 128 2   # H(=W) C O, tile rows per band
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <math.h>
#include <immintrin.h>
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
int H,W,C,O;
// kernel transform: w HWIO [3][3][C][O] -> U[16][C][O]
static void ktrans(const float*w,float*U){
  for(int c=0;c<C;c++)for(int o=0;o<O;o++){float g[3][3],t[4][3];
    for(int i=0;i<3;i++)for(int j=0;j<3;j++)g[i][j]=w[((i*3+j)*C+c)*O+o];
    for(int j=0;j<3;j++){t[0][j]=g[0][j];t[1][j]=.5f*(g[0][j]+g[1][j]+g[2][j]);t[2][j]=.5f*(g[0][j]-g[1][j]+g[2][j]);t[3][j]=g[2][j];}
    for(int i=0;i<4;i++){float u[4];u[0]=t[i][0];u[1]=.5f*(t[i][0]+t[i][1]+t[i][2]);u[2]=.5f*(t[i][0]-t[i][1]+t[i][2]);u[3]=t[i][2];
      for(int j=0;j<4;j++)U[((i*4+j)*C+c)*O+o]=u[j];}}
}
static inline const float* px(const float*x,int y,int xx,const float*zero){ if(y<0||y>=H||xx<0||xx>=W)return zero; return x+((long)y*W+xx)*C;}
static void wino(const float*x,const float*U,const float*bias,float*y,float*V,float*M,int band,const float*zero){
  int TW=(W+1)/2, TH=(H+1)/2;
  for(int ty0=0;ty0<TH;ty0+=band){int ty1=ty0+band<TH?ty0+band:TH; int T=(ty1-ty0)*TW; long ts=(long)T*C+16;  // planes a cache line past 32 KiB multiples: no L1 set conflicts
    int t=0;
    for(int ty=ty0;ty<ty1;ty++)for(int tx=0;tx<TW;tx++,t++){
      const float*d[4][4]; for(int i=0;i<4;i++)for(int j=0;j<4;j++)d[i][j]=px(x,2*ty-1+i,2*tx-1+j,zero);
      float*v=V+(long)t*C;
      for(int c=0;c<C;c+=8){__m256 a[4][4],q[4][4];
        for(int j=0;j<4;j++){__m256 d0=_mm256_loadu_ps(d[0][j]+c),d1=_mm256_loadu_ps(d[1][j]+c),d2=_mm256_loadu_ps(d[2][j]+c),d3=_mm256_loadu_ps(d[3][j]+c);
          a[0][j]=_mm256_sub_ps(d0,d2);a[1][j]=_mm256_add_ps(d1,d2);a[2][j]=_mm256_sub_ps(d2,d1);a[3][j]=_mm256_sub_ps(d1,d3);}
        for(int i=0;i<4;i++){q[i][0]=_mm256_sub_ps(a[i][0],a[i][2]);q[i][1]=_mm256_add_ps(a[i][1],a[i][2]);q[i][2]=_mm256_sub_ps(a[i][2],a[i][1]);q[i][3]=_mm256_sub_ps(a[i][1],a[i][3]);}
        for(int i=0;i<4;i++)for(int j=0;j<4;j++)_mm256_storeu_ps(v+(i*4+j)*ts+c,q[i][j]);}
    }
    long ms=(long)T*O+16;
    for(int k=0;k<16;k++)cblas_sgemm(CblasRowMajor,CblasNoTrans,CblasNoTrans,T,O,C,1,V+k*ts,C,U+(long)k*C*O,O,0,M+k*ms,O);
    t=0;
    for(int ty=ty0;ty<ty1;ty++)for(int tx=0;tx<TW;tx++,t++){const float*m=M+(long)t*O;
      for(int o=0;o<O;o+=8){__m256 a[2][4];
        for(int j=0;j<4;j++){__m256 m0=_mm256_loadu_ps(m+(0*4+j)*ms+o),m1=_mm256_loadu_ps(m+(1*4+j)*ms+o),m2=_mm256_loadu_ps(m+(2*4+j)*ms+o),m3=_mm256_loadu_ps(m+(3*4+j)*ms+o);
          a[0][j]=_mm256_add_ps(_mm256_add_ps(m0,m1),m2);a[1][j]=_mm256_sub_ps(_mm256_sub_ps(m1,m2),m3);}
        __m256 bb=_mm256_loadu_ps(bias+o);
        for(int i=0;i<2;i++){__m256 r0=_mm256_add_ps(_mm256_add_ps(_mm256_add_ps(a[i][0],a[i][1]),a[i][2]),bb),r1=_mm256_add_ps(_mm256_sub_ps(_mm256_sub_ps(a[i][1],a[i][2]),a[i][3]),bb);
          int oy=2*ty+i,ox=2*tx; if(oy<H){ _mm256_storeu_ps(y+((long)oy*W+ox)*O+o,r0); if(ox+1<W)_mm256_storeu_ps(y+((long)oy*W+ox+1)*O+o,r1);}}}
    }
  }
}
int main(int argc,char**argv){
  H=atoi(argv[1]);W=H;C=atoi(argv[2]);O=atoi(argv[3]);int band=argc>4?atoi(argv[4]):1;
  float *x=malloc(sizeof(float)*H*W*C),*w=malloc(sizeof(float)*9*C*O),*b=malloc(4*O),*y=malloc(sizeof(float)*H*W*O),*y2=malloc(sizeof(float)*H*W*O);
  srand(1);for(long i=0;i<(long)H*W*C;i++)x[i]=rand()/(float)RAND_MAX-.5f; for(int i=0;i<9*C*O;i++)w[i]=(rand()/(float)RAND_MAX-.5f)*.2f; for(int i=0;i<O;i++)b[i]=0.1f;
  float*U=malloc(sizeof(float)*16*C*O); ktrans(w,U);
  int TW=(W+1)/2; long T=(long)band*TW; float*V=malloc(sizeof(float)*16*(T*C+16)),*M=malloc(sizeof(float)*16*(T*O+16)),*zero=calloc(C,4);
  double fl=2.0*H*W*9*C*O,best=1e9;
  for(int r=0;r<7;r++){double t=now(); wino(x,U,b,y,V,M,band,zero); t=now()-t; if(t<best)best=t;}
  printf("%dx%d %d->%d winograd band %d (%ld tiles, V %ld KB) %.3f ms %.1f GFLOP/s-equiv\n",H,W,C,O,band,T,16*T*C*4/1024,best*1e3,fl/best/1e9);
  // im2col reference
  int K=9*C; int bnd=(65536/(W*(K>O?K:O))); if(bnd<1)bnd=1; float*cols=malloc(sizeof(float)*bnd*W*K);
  best=1e9; for(int r=0;r<5;r++){double t=now();
    for(int y0=0;y0<H;y0+=bnd){int y1=y0+bnd<H?y0+bnd:H; float*d=cols;
      for(int oy=y0;oy<y1;oy++)for(int ox=0;ox<W;ox++)for(int i=0;i<3;i++){int iy=oy+i-1; for(int j=0;j<3;j++){int ix=ox+j-1;
        if(iy<0||iy>=H||ix<0||ix>=W)memset(d,0,4*C); else memcpy(d,x+((long)iy*W+ix)*C,4*C); d+=C;}}
      cblas_sgemm(CblasRowMajor,CblasNoTrans,CblasNoTrans,(y1-y0)*W,O,K,1,cols,K,w,O,0,y2+(long)y0*W*O,O);}
    t=now()-t; if(t<best)best=t;}
  double err=0,mx=0; for(long i=0;i<(long)H*W*O;i++){double e=fabs(y[i]-(y2[i]+b[i%O]));if(e>err)err=e;if(fabs(y2[i])>mx)mx=fabs(y2[i]);}
  printf("%dx%d %d->%d im2col+openblas %.3f ms %.1f GFLOP/s   max err %.3g (max|y| %.3g)\n",H,W,C,O,best*1e3,fl/best/1e9,err,mx);
}
