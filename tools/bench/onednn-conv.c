// Offline micro-benchmark behind docs/performance.md's convolution table: oneDNN 2.6 direct convolution vs im2col +
// OpenBLAS sgemm, one thread, f32, NHWC, SAME padding.
//   cc -O2 tools/bench/onednn-conv.c -o /tmp/onednn-conv -ldnnl -lopenblas
//   OPENBLAS_CORETYPE=SkylakeX OMP_NUM_THREADS=1 /tmp/onednn-conv 256 12 12   # H(=W) C O; PLAINW=1: plain HWIO kernel
#include <dnnl.h>
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
#define CHECK(x) do{dnnl_status_t s=(x); if(s!=dnnl_success){printf("fail %d at %s\n",s,#x);exit(1);}}while(0)
int main(int argc,char**argv){
  int H=atoi(argv[1]),W=H,C=atoi(argv[2]),O=atoi(argv[3]);
  float *x=malloc(sizeof(float)*H*W*C),*w=malloc(sizeof(float)*9*C*O),*b=malloc(4*O),*y=malloc(sizeof(float)*H*W*O);
  for(long i=0;i<(long)H*W*C;i++)x[i]=(i%13)*0.1f; for(int i=0;i<9*C*O;i++)w[i]=(i%7)*0.01f; for(int i=0;i<O;i++)b[i]=0.1f;
  dnnl_engine_t eng; CHECK(dnnl_engine_create(&eng,dnnl_cpu,0)); dnnl_stream_t st; CHECK(dnnl_stream_create(&st,eng,dnnl_stream_default_flags));
  dnnl_memory_desc_t src,wei,bia,dst,srca,weia,dsta;
  dnnl_dims_t sd={1,C,H,W},wd={O,C,3,3},bd={O},dd={1,O,H,W},strides={1,1},pl={1,1},pr={1,1};
  CHECK(dnnl_memory_desc_init_by_tag(&src,4,sd,dnnl_f32,dnnl_nhwc));
  CHECK(dnnl_memory_desc_init_by_tag(&wei,4,wd,dnnl_f32,dnnl_hwio));
  CHECK(dnnl_memory_desc_init_by_tag(&bia,1,bd,dnnl_f32,dnnl_a));
  CHECK(dnnl_memory_desc_init_by_tag(&dst,4,dd,dnnl_f32,dnnl_nhwc));
  CHECK(dnnl_memory_desc_init_by_tag(&srca,4,sd,dnnl_f32,dnnl_format_tag_any));
  CHECK(dnnl_memory_desc_init_by_tag(&weia,4,wd,dnnl_f32,dnnl_format_tag_any));
  dnnl_convolution_desc_t cd;
  CHECK(dnnl_convolution_forward_desc_init(&cd,dnnl_forward_inference,dnnl_convolution_direct,&src,(getenv("PLAINW")?&wei:&weia),&bia,&dst,strides,pl,pr));
  dnnl_primitive_desc_t pd; CHECK(dnnl_primitive_desc_create(&pd,&cd,NULL,eng,NULL));
  const char*impl; dnnl_primitive_desc_query(pd,dnnl_query_impl_info_str,0,&impl);
  const dnnl_memory_desc_t*wq=dnnl_primitive_desc_query_md(pd,dnnl_query_weights_md,0);
  dnnl_memory_t ms,mw,mb,md,mwr; CHECK(dnnl_memory_create(&ms,&src,eng,x)); CHECK(dnnl_memory_create(&mw,&wei,eng,w));
  CHECK(dnnl_memory_create(&mb,&bia,eng,b)); CHECK(dnnl_memory_create(&md,&dst,eng,y));
  CHECK(dnnl_memory_create(&mwr,wq,eng,DNNL_MEMORY_ALLOCATE));
  dnnl_primitive_desc_t rpd; CHECK(dnnl_reorder_primitive_desc_create(&rpd,&wei,eng,wq,eng,NULL)); dnnl_primitive_t rp; CHECK(dnnl_primitive_create(&rp,rpd));
  dnnl_exec_arg_t ra[2]={{DNNL_ARG_FROM,mw},{DNNL_ARG_TO,mwr}}; CHECK(dnnl_primitive_execute(rp,st,2,ra)); dnnl_stream_wait(st);
  dnnl_primitive_t p; CHECK(dnnl_primitive_create(&p,pd));
  dnnl_exec_arg_t a[4]={{DNNL_ARG_SRC,ms},{DNNL_ARG_WEIGHTS,mwr},{DNNL_ARG_BIAS,mb},{DNNL_ARG_DST,md}};
  double best=1e9; for(int r=0;r<7;r++){double t=now(); CHECK(dnnl_primitive_execute(p,st,4,a)); dnnl_stream_wait(st); t=now()-t; if(t<best)best=t;}
  double fl=2.0*H*W*9*C*O;
  printf("%dx%d %d->%d onednn %-24s %.3f ms %.1f GFLOP/s\n",H,W,C,O,impl,best*1e3,fl/best/1e9);
  // im2col + sgemm in bands of rows
  int K=9*C; int band=(65536/(W*(K>O?K:O))); if(band<1)band=1; float*cols=malloc(sizeof(float)*band*W*K);
  best=1e9; for(int r=0;r<7;r++){double t=now();
    for(int y0=0;y0<H;y0+=band){int y1=y0+band<H?y0+band:H; float*d=cols;
      for(int oy=y0;oy<y1;oy++)for(int ox=0;ox<W;ox++)for(int i=0;i<3;i++){int iy=oy+i-1; for(int j=0;j<3;j++){int ix=ox+j-1;
        if(iy<0||iy>=H||ix<0||ix>=W)memset(d,0,4*C); else memcpy(d,x+((long)iy*W+ix)*C,4*C); d+=C;}}
      cblas_sgemm(CblasRowMajor,CblasNoTrans,CblasNoTrans,(y1-y0)*W,O,K,1,cols,K,w,O,0,y+(long)y0*W*O,O);}
    t=now()-t; if(t<best)best=t;}
  printf("%dx%d %d->%d im2col+openblas %.3f ms %.1f GFLOP/s\n",H,W,C,O,best*1e3,fl/best/1e9);
  return 0;}
