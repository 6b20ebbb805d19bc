"""The phrase tables: one weighted phrase per line, per intent (syntax in patterns.py).

Weights rank intents when several match: safety first (opt-out 0.98, injection 0.97, a
person 0.95), then explicit requests (0.85-0.95), then bare nouns (0.6-0.8), then courtesy.
Phrases use canonical words: "para" (pra), "esta" (ta), "estou" (to), "voce" (vc), "nao"
(n), "que" (q), "e" (eh), "3 vezes" (3x), "segunda via" (2a via). A line that does not
start with a weight continues the line above ("|" joins alternatives, anything else a slot).
"""

from agent.understanding.intent import Intent

_MESSAGING = (
    "mensagem|mensagens|cobranca|cobrancas|ligacao|ligacoes|notificacao|notificacoes|contato"
    "|contatos|spam|whatsapp|aviso|avisos|lembrete|lembretes"
)
_INTERNET = "internet|sinal|conexao|servico|wifi|linha"
_RETURN = "volta|voltar|voltara|retorna|retornar|restabelece|normaliza|vai_voltar|religa|liga"

TABLES: dict[Intent, str] = {
    Intent.OPT_OUT: f"""
        0.98 ^ parar|pare|para|parem|sair|stop|chega|basta|cancelar|descadastrar $
        0.98 ^ quero|queria|gostaria|desejo|eu_quero sair|parar $
        0.98 para|pare|parem|parar|paro de * mandar|enviar|mandando|enviando|receber|escrever
        |incomodar|encher|perturbar|importunar|{_MESSAGING}
        0.98 para|pare|parem|parar|paro de me|ficar_me|ficar cobrar|cobrando|ligar|ligando
        |chamar|procurar|mandar|enviar|incomodar|encher|perturbar
        0.98 para|pare|parem com * isso|essas|esse|{_MESSAGING}
        0.98 nao * quero|desejo|aceito|gostaria|quer * receber * nada|isso|{_MESSAGING}
        0.98 nao * quero|desejo|gostaria|aceito * mais * isso|receber|ser_contatado|ser_cobrado
        |ser_incomodado|{_MESSAGING}
        0.98 ^ nao * quero|desejo mais $
        0.98 nao * me * mande|manda|mandem|envie|envia|enviem|ligue|liga|liguem|procure|procurem
        |chame|chamem|contate|contatem|incomode|incomodem|perturbe|perturbem|escreva|escrevam mais
        0.98 nao * mande|mandem|envie|enviem|manda mais * nada|isso|{_MESSAGING}
        0.98 descadastrar|descadastra|descadastre|descadastro|descadastrem|unsubscribe|optout
        0.98 remover|remove|remova|removam|tirar|tira|tire|tirem|excluir|exclui|exclua|apagar
        |apaga|apague|deletar|deleta|deletem meu|meus|o_meu|os_meus|nosso|esse|este numero
        |telefone|whatsapp|celular|cadastro|contato|dados
        0.98 sair|saia|tirar|tira|tire|remover|remove|remova|excluir|exclua * da|dessa|desta|de
        |dessas|desse|deste lista|listas|grupo|envio|envios|transmissao|contatos
        0.98 me tira|tire|remove|remova|exclui|exclua|descadastra|retira do|da|desse|deste|dessa
        cadastro|lista|listas|grupo|sistema
        0.98 cancelar|cancela|cancele|cancelem|bloquear|desativar|desativa|desative|suspender
        |parar * mensagem|mensagens|notificacao|notificacoes|envio|envios|inscricao|lembretes
        |avisos|alertas|whatsapp|comunicacao|comunicacoes|spam
        0.98 me|nos deixa|deixe|deixem em paz
        0.98 ^ chega|basta de? isso|disso|encher|{_MESSAGING}
        0.98 vou|vamos bloquear|denunciar * numero|contato|voces|isso|esse|spam
        0.98 spam
    """,
    Intent.INJECTION: """
        0.97 ignore|ignora|ignorar|ignorem|esqueca|esquece|esquecer|desconsidere|desconsidera
        |desconsiderar|despreze|desobedeca * instrucoes|instrucao|regras|regra|ordens|comandos
        |prompt|diretrizes|orientacoes|politica|politicas|programacao|instructions
        0.97 ignore|ignora|ignorar|ignorem|desconsidere|desconsidera tudo|todas
        0.97 voce agora e|sera|passa|atua|funciona|trabalha|obedece|responde|segue
        0.97 esqueca|esquece|ignore|ignora|desconsidere * tudo * disseram|falaram|ensinaram
        |programaram|mandaram|instruiram|configuraram
        0.97 a partir de agora * voce
        0.97 finja|finge|fingir|imagine|simule|simular|aja|atue|comporte|interprete|incorpore
        * que|como|ser|papel|personagem
        0.97 faca|faz|brincar de conta
        0.97 modo|mode desenvolvedor|dev|developer|admin|administrador|debug|deus|root
        |irrestrito|god|jailbreak|dan
        0.97 jailbreak|sudo|override|prompt|system
        0.97 voce e|seja|sera|agora o|a|um|uma? gerente|supervisor|supervisora|diretor
        |diretora|dono|dona|administrador|chefe|aprovador
        0.97 eu? sou|falo|aqui_e o|a gerente|supervisor|supervisora|diretor|diretora|dono
        |administrador|administradora|desenvolvedor|programador
        0.97 como|enquanto gerente|supervisor|diretor|administrador|dono
        0.97 aprove|aprova|aprovar|autorize|autoriza|autorizar|conceda|concede|conceder|libere
        |aplique|aplica|aplicar|coloque|confirme ** #p
        0.96 gerente|supervisor|diretor|dono|chefe|diretoria * aprovou|autorizou|liberou
        |permitiu|concedeu|aprovado|autorizado|aprovada|autorizada
        0.96 zere|zerar|zera|zerem|apague|apagar|apaga|anule|anular|anula|delete|deletar|elimine
        |eliminar * minha|a|o|meu|essa|esse|as|os divida|debito|debitos|dividas|saldo|fatura
        |faturas|cobranca
        0.9 marque|marcar|marca|registre|registrar|considere|considerar|bota|botar|coloque
        * como|que paga|pago|quitada|quitado|quitadas|quitados
        0.97 responda|responde|diga|digite|escreva * apenas|somente|so * aprovado|aprovo
        |confirmado|autorizado
        0.97 repita|mostre|mostra|revele|revela|diga|imprima|repete|quais|qual * seu|suas|teu
        |tuas prompt|instrucoes|configuracao|configuracoes|comandos|regras
        0.97 repita|mostre|mostra|revele|revela|imprima|repete * prompt
        0.97 regras|instrucoes|ordens * originais|iniciais|internas
        0.97 instrucoes|ordens * anteriores|acima
        0.97 novas instrucoes|ordens|diretrizes
        0.97 instrucao|instrucoes|diretriz|comando|comandos|prompt|mensagem do sistema
        |administrador|desenvolvedor|servidor
    """,
    Intent.HUMAN: """
        0.95 atendente|atendentes|humano|humana|humanos|operador|operadora|supervisor
        |supervisora|ouvidoria|gerente|sac|gerencia
        0.95 falar|conversar|falo|fale|converso|falando|conversando|atender|atenda|falei * alguem
        |pessoa|gente|responsavel|funcionario|funcionaria|setor|financeiro|moca|moco|dono|chefe
        0.95 pessoa|gente|alguem ai? de verdade
        0.95 pessoa|gente|alguem|atendimento real|viva|humano|humana|pessoal|presencial
        |humanizado
        0.9 robo|robozinho|bot|maquina|automatica|automatico|gravacao|inteligencia_artificial
        0.9 me|nos liga|ligue|liguem|telefona|ligar
        0.9 liga|ligue|ligar|ligacao|telefonema|retorna|retorne para mim
        0.9 quero|pode|preciso|gostaria * ligacao|telefonema
        0.85 procon|advogado|advogada|juizado|processar|justica|reclame_aqui|reclameaqui|anatel
        |defensoria|juridico
        0.9 transferir|transfere|transfira|passa|passar|encaminha|encaminhar|encaminhe|chama
        |chamar * alguem|pessoa|atendente|setor|financeiro|responsavel
        0.9 setor|departamento de? financeiro|cobranca|juridico|comercial|responsavel
    """,
    Intent.ABUSE: """
        0.95 vai|va|vao se|te foder|fuder|lascar|danar|ferrar
        0.95 vai|va|vao foder|fuder
        0.95 vai|va|vao * tomar|toma no|nu cu|rabo|toba
        0.95 vtnc|vsf|tnc|fdp|vsfd|fdps|tmnc|filho_da_puta|filha_da_puta|arrombado|arrombados
        |arrombada|desgracado|desgracados|desgracada|cuzao|cuzoes
        0.85 otario|otarios|otaria|idiota|idiotas|imbecil|imbecis|babaca|babacas|ladrao|ladroes
        |ladra|safado|safados|safada|vagabundo|vagabundos|vagabunda|corno|cornos|escroto
        |escrotos|escrota|retardado|retardados|retardada|burro|burros|burra|palhaco|palhacos
        |canalha|canalhas|verme|vermes|nojento|nojentos|nojenta|piranha|vadia|fudido|fodido
        |sanguessuga|sanguessugas|golpista|golpistas|pilantra|pilantras|bandido|bandidos
        |vigarista|vigaristas|trouxa|trouxas|cretino|cretinos|lazarento|lazarentos|lixo|lixos
        |ladroagem|roubalheira|agiotas|agiota
        0.75 porra|poha|caralho|caralhos|krl|crl|fodase|foda_se|merda|bosta|puta|puto|putos
        |putaria|cu|pqp|cacete|porcaria|desgraca|palhacada
    """,
    Intent.DISPUTE: """
        0.9 nao * reconheco|conheco|reconhecemos|reconhece * divida|cobranca|conta|valor|debito
        |isso|essa|esse|compra|servico|contrato|empresa|voces|$
        0.9 nao lembro * divida|compra|contrato|servico|cobranca|dessa|desse|disso
        0.9 indevida|indevido|indevidamente|indevidas|indevidos|injusta|injusto|abusiva|abusivo
        0.9 ja|eu|mas|tinha|que cancelei|cancelamos|cancelado|cancelada
        0.85 cancelei|cancelamos|pedi_cancelamento|solicitei_cancelamento|pedi_o_cancelamento
        0.9 nao devo|devemos|tenho_divida nada|isso|essa|esse|nenhum|nenhuma|voces|mais|$
        0.9 cobrado|cobrando|cobraram|cobranca|cobrada|cobrou|cobrar|cobram|cobrados|veio
        |vieram * errado|errada|a_mais|duas_vezes|em_dobro|dobrado|dobrada|indevidamente
        |sem_motivo|repetida|duplicada|duplicado|duplicidade
        0.9 valor|conta|fatura|cobranca|boleto|juros|multa * errado|errada|incorreto|incorreta
        |absurdo|absurda|nao_confere|nao_bate|nao_esta_certo|esta_errado|esta_errada
        0.9 nunca contratei|usei|assinei|pedi|tive|fui|instalei|solicitei
        0.9 nao contratei|assinei|pedi|solicitei|uso_mais|sou_cliente|tenho_contrato|instalei
        |autorizei|usei
        0.85 fraude|clonaram|clonado|golpe_no_meu_nome|usaram_meu_nome|usaram_meus_dados
        0.85 contestar|contesto|contestacao|contestando|discordo|reclamar_da_cobranca
        0.8 nao e|era meu|minha|meus|minhas|nosso|nossa
        0.8 numero|pessoa|contato errado|errada
        0.8 engano|enganado|enganada
        0.85 continuam|continua|novamente|de_novo|ainda * cobrando
        0.8 mudei|me_mudei|saimos * de? casa|endereco|cidade|imovel
        0.88 estou|esta|estava|estive|ficamos|fiquei sem * internet|sinal|servico * mes|meses
        |dias|semana|semanas|tempo
    """,
    Intent.ALREADY_PAID: """
        0.95 ja eu? tinha|havia|foi|esta|estava? paguei|pago|paga|pagamos|quitei|quitado
        |quitada|quitamos|acertei|depositei|transferi|efetuei|realizei|pagos|pagas
        |acertado|fiz_o_pagamento|fiz_o_pix|fiz_pix|fiz_a_transferencia|mandei_o_pix
        |mandei_o_comprovante|efetuei_o_pagamento|fiz_o_deposito
        0.9 paguei|pagamos|quitei|depositei|transferi|acertei|quitamos|acertamos
        0.9 esta|estava|foi|ficou|estao|foram pago|paga|quitado|quitada|pagos|pagas|acertado
        |quitados|quitadas
        0.9 fiz|efetuei|realizei|mandei|enviei|fizemos|efetuamos|realizamos o|a|um? pagamento
        |pix|deposito|transferencia|pagamentos
        0.85 comprovante|comprovantes|recibo|recibos
        0.85 conta|boleto|fatura|divida|mensalidade paga|pago|quitada|quitado
        0.85 pagamento|pix|deposito|transferencia|conta|boleto * ja? foi|esta|ficou feito|feita
        |realizado|efetuado|confirmado|compensado|pago|paga|processado
        0.8 dar|de|da|deem|derem baixa
        0.8 pagamento|pago|paguei|pix|comprovante * nao * baixou|compensou|constou|consta
        |apareceu|caiu|atualizou|entrou|reconheceu
        0.8 debitado|descontado|debitou|descontou
        0.8 esta|estou|estamos quite|quites|em_dia
    """,
    Intent.TRUST_UNBLOCK: f"""
        0.9 desbloque~|desbloquei~
        0.9 liberar|libera|libere|liberem|liberacao|liberam|liberado|liberada|liberasse
        * {_INTERNET}|acesso|confianca
        0.9 tem_como|pode|poderia|consegue|da_para|podem|poderiam liberar|libera|desbloquear
        |religar|religa|ligar
        0.85 confianca
        0.9 religar|religa|religue|religuem|religamento|religacao|reativar|reativa|reative
        |reativacao|reconectar|reconexao|restabelecer|restabelecimento|reestabelecer
        0.85 liga|ligar|ligue|liguem|volte|voltem|devolve|devolver * {_INTERNET}
        0.85 preciso|precisa|precisam|precisamos|dependo|depende|necessito|uso * internet|dela
        |dele * trabalhar|trabalho|estudar|estudo|home_office|escola|aula|aulas|emprego|vender
        0.8 preciso|precisa|precisam|precisamos|necessito|dependo|depende * da|de internet|conexao
        0.8 libera|libere|liberar|liberem para_mim|ai|logo|agora|hoje|$
        0.8 trabalho|trabalhar|estudar|estudo|aula|aulas|home_office * internet|conexao
        0.8 prazo * liberar|libera|religar|religa|internet
        0.8 liberar|libera|libere|liberem|desbloquear * enquanto|ate|que * pago|pagar|pagamento
    """,
    Intent.SERVICE_DOWN: f"""
        0.85 quando * {_RETURN} * {_INTERNET}
        0.85 quando * {_INTERNET} * {_RETURN}|funcionar|vai_funcionar
        0.8 ^ quando volta|voltar|vai_voltar|retorna $
        0.85 {_INTERNET} * caiu|cortada|cortado|cortaram|cortou|bloqueada|bloqueado|bloquearam
        |bloqueou|suspensa|suspenso|suspenderam|suspendeu|parou|parada|fora|off|desligada
        |desligado|desligaram|desligou|caindo|lenta|ruim|oscilando|sumiu
        0.85 caiu|parou|cortaram|cortou|sumiu|desligaram|bloquearam * {_INTERNET}
        0.8 {_INTERNET} nao * funciona|funcionando|pega|pegando|conecta|conectando|navega
        |navegando|esta_funcionando|volta|voltou|liga
        0.85 sem internet|sinal|conexao|wifi|servico
        0.8 cortaram|cortou|bloquearam|bloqueou|suspenderam|suspendeu|desligaram|desligou
        |cortada|cortado|bloqueada|bloqueado|suspensa|suspenso
        0.7 nao tenho|tem|estou_com|esta_com internet|sinal|conexao
    """,
    Intent.BOLETO: """
        0.9 boleto|boletos|boletao
        0.92 segunda via
        0.9 codigo|numero de? barras|barra
        0.9 linha digitavel
        0.85 manda|mande|envia|envie|enviar|mandar|gera|gerar|gere|emitir|emite|emita|reenvia
        |reenviar|reemitir|baixar|imprimir|gerem * fatura|conta|pdf|carne|faturas
        0.85 nao * recebi|chegou|veio|apareceu|achei|encontro|encontrei|acho * fatura|conta|carne
        |cobranca|email
        0.75 pdf|carne
        0.8 fatura|conta atualizada|atualizado|nova|do_mes
    """,
    Intent.PIX: """
        0.8 pix
        0.92 chave|codigo|qr|link|copia * pix|code
        0.92 copia e cola
        0.92 qr code
        0.9 manda|mande|envia|envie|passa|passe|gera|gere|gerar|me_da|faz|faca|mandar|enviar
        * pix|chave
        0.9 pagar|pago|pagamento|pagaria|quitar|pagando|acertar na|no|por|via|com|pelo|de pix
        0.8 transferencia|transferir|ted
        0.7 quero|queria|vou|gostaria|posso|preciso|como|consigo|prefiro pagar|quitar|acertar
        * agora|ja|hoje|logo|imediatamente|vista
        0.65 ^ quero|queria|gostaria|posso|preciso|prefiro pagar|quitar|acertar * tudo|total
        |isso|conta|divida|fatura|$
        0.75 pagar|pago|quitar * a vista
        0.88 quero|queria|gostaria|preciso|desejo quitar|pagar|acertar * divida|conta|debito
        |fatura|tudo|isso|dividas|contas|debitos
        0.7 a vista
        0.6 como|onde * pagar|pago|pagamento|faco_para_pagar
        0.75 link * pagamento|pagar
        0.7 nao * consigo|posso|da|tenho_como sair|ir * pagar
        0.6 pagar como
        0.6 chave
    """,
    Intent.RENEGOTIATE: """
        0.85 parcel~
        0.85 dividir|divido|dividido|dividimos|divide|dividiria|dividida|divida|dividam * em|no
        #n|vezes|parcelas|meses|cartao
        0.85 dividir|divido|dividido|dividimos|dividiria|dividam
        0.8 acordo|acordos
        0.85 desconto|descontos|abatimento|descontinho
        0.85 negociar|negociacao|renegociar|renegociacao|negocia|negociavel|negociado|negocio
        |renegocia|negociamos|negociando
        0.85 em #n vezes|parcelas|prestacoes|mensalidades|meses
        0.85 de #n vezes|parcelas|prestacoes
        0.85 #n parcelas|prestacoes
        0.6 #n vezes
        0.85 fazer|faz|pagar|pago|faco|fazem|da_para_fazer|pagaria * em #n !dias|dia|semanas
        |semana|horas|de
        0.8 entrada
        0.75 nao * consigo|tenho_como|tenho_condicoes|posso|da|dou_conta|vou_conseguir * pagar
        |quitar * tudo|total|inteiro|valor|isso|vista|esse|essa|toda|integral|de_uma_vez
        0.75 nao * consigo|tenho_como|tenho_condicoes|posso|vou_conseguir pagar|quitar $
        0.7 nao_tenho|estou_sem|estamos_sem|fiquei_sem|ficamos_sem * como|condicoes|condicao
        |dinheiro|grana
        0.75 desempregado|desempregada|sem_emprego|sem_trabalho
        0.85 #n reais|conto? por|ao|todo mes
        0.7 esta|muito|bem * caro|alto|pesado|puxado|salgado
        0.75 abaixar|baixar|diminuir|reduzir|reduz|diminui|abaixa|tirar|tira|retirar|perdoar
        |perdoa * valor|juros|multa|divida
        0.75 sem juros|multa
        0.9 se * tirar|tira|tirarem|der|derem|dar|fizer|fizerem|abaixar|baixar|tiver * juros|multa
        |desconto|valor
        0.75 nao * quero|vou|aguento|consigo pagar juros|multa
        0.75 parar de pagar juros|multa
        0.7 ajuda|ajudar|ajudem|ajude * pagar|quitar
        0.7 proposta|propostas|facilitar|facilita|facilidade|oferta|ofertas|opcoes|condicoes
        |condicao|plano_de_pagamento
        0.75 pagar|pago|quitar * aos? poucos
        0.75 pagar|pago|quitar|posso|pode * metade|parte|um_pouco|parcial|menos
        0.9 metade|parte * agora|hoje * metade|resto|restante|outra
        0.7 sair dessa|da|das divida|dividas|vermelho
        0.75 limpar|limpa|tirar * nome
        0.75 nome limpo
        0.75 como * fica|ficaria * vezes|parcelas|parcelado
    """,
    Intent.PROMISE: """
        0.6 vou|irei|vamos|prometo|pretendo|posso|consigo|conseguiria|poderia|devo|vou_tentar
        |pretendemos|prometemos|devemos|deixa_eu * pagar|quitar|acertar|depositar|transferir
        |resolver|regularizar|pagando|acertando
        0.55 eu|que|a_gente|ai pago|acerto|quito|deposito|pagarei|acertarei|quitarei|pagamos
        0.55 pagarei|acertarei|quitarei|pagaremos|depositarei
        0.5 pago|acerto|quito|deposito
        0.6 so|somente|apenas * recebo|recebe|caira|cai|sai|sairia|entra|tenho_dinheiro|terei
        0.6 recebo|recebe|cai|sai|entra * salario|pagamento|dinheiro|beneficio|auxilio|bolsa
        0.6 salario|pagamento|dinheiro|beneficio|auxilio * cai|sai|entra|vem|chega
        0.6 promessa|prometo|compromisso|garanto
    """,
    Intent.BALANCE: """
        0.9 quanto * devo|deve|devemos|devendo|devido|deu|falta
        0.85 quanto que? esta|e|ficou|da|deu|falta|fica|vem|veio * conta|fatura|divida|debito
        |boleto|mensalidade|total|valor|minha|meu|tudo
        0.8 ^ quanto e? que? esta|e|ficou|da|deu|falta|fica|vem|ficaria $
        0.8 quanto que? esta|ficou|deu|ficaria $
        0.85 fala|diga|diz|informa|informe|passa * quanto|total|valor
        0.86 qual|quanto * valor|valores
        0.85 qual|quais * valor|valores|saldo|total|debito|debitos|divida|dividas|pendencia
        |pendencias|fatura|faturas
        0.85 meu|minha|meus|minhas debito|debitos|divida|dividas|saldo|pendencia|pendencias
        |fatura|faturas|extrato|situacao
        0.8 valor|total|saldo|extrato|valores|situacao da|de|do|das|dos|minha conta|fatura|divida
        |debito|mensalidade|contas|faturas|dividas
        0.8 o que|quanto eu? devo
        0.8 estou|esta|estamos devendo
        0.85 tenho * conta|contas|fatura|faturas|divida|debito|pendencia|pendencias * aberto
        |atraso|atrasada|atrasado|atrasadas|pendente|pendentes|vencida|vencidas
        0.75 em aberto|atraso
        0.7 devo|devendo
        0.6 fatura|faturas|mensalidade|mensalidades|debito|debitos|divida|dividas|saldo|valor
        |pendencia|pendencias|atrasado|atrasada|atrasados|vencida|vencido
        0.75 ver|consultar|saber|conferir|verificar|olhar * conta|fatura|divida|debito|saldo
        |valor|extrato|situacao|contas|faturas
        0.9 saber|ver|consultar quanto|qual
        0.7 quando vence|venceu|vencimento|vencem
        0.65 vencimento|vence
    """,
    Intent.QUESTION: """
        0.85 posso|pode|da|consigo|aceita|aceitam|tem_como|da_para|e_possivel|como * pagar
        |pagamento|pago * loterica|lotericas|banco|caixa|cartao|credito|app|aplicativo
        |internet_banking|picpay|nubank|dinheiro|especie|correspondente|agencia|mercado_pago
        |loja|debito_automatico|cheque
        0.85 aceita|aceitam|aceitar|vale|passa|passam * cartao|credito|picpay|cheque
        0.9 vao|vai|voces_vao|pode|podem|vao_me|corre_risco * negativar|negativado|negativada
        |protestar|protesto|processar|sujar|nome_sujo|spc|serasa|cortar|corte|bloquear|suspender
        |desligar|cobrar_juros|cobrar_multa
        0.85 negativ~|serasa|spc|protesto|protestar|score|scpc|boa_vista
        0.85 nome sujo
        0.9 o que acontece|acontecera|vai_acontecer|aconteceria
        0.9 horario|horarios|expediente
        0.85 que horas * abre|fecha|funciona|atende|atendem|abrem|fecham
        0.9 como funciona|funcionam|faz|faco|e * renegociacao|acordo|desconto|religamento
        |desbloqueio|pagamento|multa|juros|cobranca|isso|parcelamento
        0.85 onde * fica|ficam|loja|escritorio|endereco|agencia
        0.8 endereco|telefone|email|site|cnpj|razao_social * empresa|loja|voces|provedor
        0.75 juros|multa|multas|encargos|correcao|taxa|taxas
        0.85 e|isso_e|sera_que_e|sera golpe|confiavel|verdade|seguro|oficial|legitimo
        0.8 golpe
        0.8 quem e|fala|esta_falando voce|voces|ai|e|$
        0.8 ate quando|que_dia * pagar|pagamento|posso|prazo|tenho
        0.75 qual|quanto * prazo
        0.75 quanto tempo|demora * demora|leva|cai|compensa|compensar|baixa|libera|religa|volta
        0.7 duvida|duvidas|pergunta|informacao|informacoes
        0.7 fidelidade|rescisao|multa_rescisoria
        0.75 por que|porque * aumentou|subiu|cobrando|veio|vem|mudou|caro|multa|juros
        0.75 voces atendem|abrem|funcionam|trabalham
    """,
    Intent.AFFIRM: """
        0.85 ^ sim|ok|isso|fechado|beleza|aceito|bora|claro|certo|perfeito|combinado|demorou
        |aham|positivo|pode|quero|manda|show|top|otimo|exato|exatamente|correto|confirmo
        |confirmado|esta|vamos|firmeza|massa|tranquilo|joia|legal|certeza|concordo|aceitamos
        |sim_sim|ok_ok|isso_mesmo|pode_ser|com_certeza|sim_quero|quero_sim|pode_sim
        |esta_bom|esta_otimo|esta_certo|esta_combinado|esta_beleza|esta_fechado|de_acordo
        |pode_mandar|pode_fazer|pode_fechar|pode_gerar|manda_ver|vamos_la|vamos_nessa
        |estou_de_acordo|estou_dentro|tudo_certo|sim_senhor|sim_senhora|confirma|confirmar $
        0.5 ^ sim|ok|isso|fechado|beleza|aceito|claro|certo|perfeito|combinado|pode_ser
        |com_certeza|quero_sim|pode_sim|esta_bom|esta_otimo|de_acordo|confirmo|bora
        0.8 aceito|aceitamos|aceitar|topo|concordo
        0.6 vamos fechar|fazer|nessa
        0.6 pode mandar|fazer|gerar|emitir|fechar|seguir|ser
        0.82 estou|fico|ficamos|estamos de acordo
        0.45 ^ tudo bem|certo|tranquilo $
    """,
    Intent.DENY: """
        0.8 ^ nao|nem|nunca|negativo|jamais|nao_nao|de_jeito_nenhum|de_maneira_nenhuma
        |agora_nao|ainda_nao|hoje_nao|nao_obrigado|nao_obrigada|nao_quero|nao_preciso
        |nao_precisa|nao_posso|nao_agora|nao_mesmo|nao_vou|nao_por_enquanto|deixa_para_la
        |prefiro_nao|melhor_nao|nao_quero_nao|nao_preciso_nao|esquece|deixa|nada|nao_da
        |agora_nao_da|nao_da_agora|agora_nao_posso|nao_consigo|agora_nao_consigo $
        0.45 ^ nao|nem
        0.6 nao tenho|tem interesse
        0.6 nao me|nos interessa
    """,
    Intent.GREETING: """
        0.6 ^ oi|ola|eai|opa|salve|hey|hello|alo|hi|bom_dia|boa_tarde|boa_noite|e_ai
        |fala|saudacoes
        0.6 bom_dia|boa_tarde|boa_noite
        0.5 tudo bem|bom|joia|certo|tranquilo
    """,
    Intent.THANKS: """
        0.7 obrigado|obrigada|valeu|agradeco|gratidao|grato|grata|thanks|obrigadao|agradecido
        |agradecida|obrigados|brigadao
    """,
    Intent.GOODBYE: """
        0.65 tchau|falou|adeus|bye|abraco|abracos|beijo|beijos|fui
        0.6 ate mais|logo|breve|a_proxima
        0.6 ^ ate amanha|segunda|depois|outra|mais $
        0.55 boa noite|tarde|dia $
        0.6 tenha um? bom|otimo dia|fim_de_semana|noite|tarde
    """,
}
